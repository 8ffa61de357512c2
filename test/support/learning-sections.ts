/**
 * Workspace sections (YAML) the learning tests share: two actions that learn from their goal, by
 * plan, and a placement that learns among its variants beside one an experiment splits. Goals
 * count for `within` (`1d`, `1h`); each test adds its own `learning` and `holdout`.
 */
export const learningActions = (within: string): string => `
actions:
  - key: discount
    channels: [in_app]
    content: { in_app: { title: 10% off } }
    value: 1
    propensity: 0.1
    goal: { event: Order Completed, within: ${within}, value: properties.revenue }
    predictors: [traits.plan]
  - key: free_shipping
    channels: [in_app]
    content: { in_app: { title: Free shipping } }
    value: 1
    propensity: 0.1
    goal: { event: Order Completed, within: ${within} }
    predictors: [traits.plan]
`;

/** The placements and the experiment of `learningActions`'s workspace. */
export const learningPlacements = (within: string): string => `
placements:
  - key: hero
    strategy: learn
    goal: { event: Order Completed, within: ${within}, value: properties.revenue }
    predictors: [traits.plan]
    variants:
      - { key: spring, content: { title: Spring } }
      - { key: summer, content: { title: Summer }, propensity: 0.4 }
  - key: promo
    variants:
      - { key: free_shipping, content: { title: Free shipping } }
      - { key: default, content: { title: Welcome } }
experiments:
  - key: promo_test
    placement: promo
    arms: [{ key: control, percent: 50 }, { key: shipping, percent: 50, variant: free_shipping }]
    goal: { event: Order Completed, within: ${within} }
`;
