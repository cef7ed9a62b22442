/** One policy finding, as the plan reports it. */
export interface PlanViolation {
  policy: string;
  urn: string;
  message: string;
  enforcementLevel: "mandatory" | "advisory";
}

/** One resource of the plan (the `--format json` contract). */
export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  inputs: unknown;
  state: unknown;
}
