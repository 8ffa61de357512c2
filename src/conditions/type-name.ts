/** The names `$type` accepts, as GrowthBook reports them. */
export const TYPE_NAMES = ['string', 'number', 'boolean', 'array', 'object', 'null', 'undefined'] as const;

/** One of the names `$type` accepts. */
export type TypeName = (typeof TYPE_NAMES)[number];

/** The `$type` name of a value; `unknown` for functions, symbols and bigints. */
export function typeName(value: unknown): TypeName | 'unknown' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  switch (type) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'object':
    case 'undefined':
      return type;
    default:
      return 'unknown';
  }
}
