import { Liquid, type LiquidOptions } from 'liquidjs';

/**
 * What both content engines share. Unknown variables render as empty (`strictVariables:
 * false`), unknown filters are an error when the template is parsed (`strictFilters: true`),
 * only own properties are read, `templates: {}` keeps `include`/`render` off the file system,
 * and the limits bound what one template can cost.
 */
const OPTIONS: LiquidOptions = {
  strictVariables: false,
  strictFilters: true,
  ownPropertyOnly: true,
  templates: {},
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 1_000_000,
};

/** The Liquid engine for plain-text content (SMS and WhatsApp text, email subjects): output is written as it is. */
export const contentLiquid: Liquid = new Liquid(OPTIONS);

/**
 * The Liquid engine for HTML content (placements, email `html`): every `{{ output }}` is
 * HTML-escaped, so a trait like `<img src=x onerror=…>` shows as text instead of running in
 * the page; `| raw` as the last filter writes a value unescaped. The escaping is fixed when a
 * template is parsed, so a template parsed here stays escaped whichever engine renders it.
 */
export const htmlContentLiquid: Liquid = new Liquid({ ...OPTIONS, outputEscape: 'escape' });
