import { Liquid } from 'liquidjs';

/**
 * The one Liquid engine content templates are parsed and rendered with. Unknown variables
 * render as empty (`strictVariables: false`), unknown filters are an error when the template
 * is parsed (`strictFilters: true`). `templates: {}` keeps `include`/`render` off the file
 * system, and the limits bound what one template can cost.
 */
export const contentLiquid: Liquid = new Liquid({
  strictVariables: false,
  strictFilters: true,
  ownPropertyOnly: true,
  templates: {},
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 1_000_000,
});
