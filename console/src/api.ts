/** An error answer of the admin API: its stable code, message and field details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** A call to the admin API with the signed-in key; JSON in, JSON out, errors as `ApiError`. */
export async function callApi<T>(
  key: string,
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const body: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const error = (body ?? {}) as { code?: string; message?: string; details?: ApiError['details'] };
    throw new ApiError(
      response.status,
      error.code ?? 'HTTP_ERROR',
      error.message ?? `The server answered ${response.status}`,
      error.details ?? [],
    );
  }
  return body as T;
}

/** A profile reference for a path segment: `type:value` or a profile id, URL-encoded. */
export function refPath(ref: string): string {
  return encodeURIComponent(ref);
}
