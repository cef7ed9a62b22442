import * as pulumi from "@pulumi/pulumi";
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";

// Marked @internal in the typings, but it is what `disconnect()` uses to drain pending RPCs.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as {
  waitForRPCs(): Promise<void>;
};
type Struct = Parameters<typeof deserializeProperties>[0];
import { mockCall } from "./mockCalls";
import { DEFAULT_WORLD, MOCKED_TYPES, MockWorld, mockState } from "./mockState";

/** One resource the program registered, as the plan and the tests see it. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent, or null at the top of the tree. */
  parent: string | null;
  custom: boolean;
  /** Inputs as the program passed them (Outputs resolved). */
  inputs: Record<string, unknown>;
  /** The mocked state: inputs plus the identifiers AWS would assign. */
  state: Record<string, unknown>;
  /** URNs named in `dependsOn` (explicit ordering). */
  dependsOn: string[];
  /** The `retainOnDelete` resource option (Pulumi keeps the cloud resource when deleting it). */
  retainOnDelete?: boolean;
  /** The `protect` resource option (after inheritance from the parent). */
  protect?: boolean;
}

export interface MockOptions {
  project?: string;
  stack?: string;
  /** Stack config as `pulumi config` stores it (`<namespace>:<key>` -> string). */
  config?: Record<string, string>;
  world?: Partial<MockWorld>;
}

export const PROJECT = "aws-serverless-flows";

/** The recording side of the mock runtime: every registered resource, queryable. */
export class Recorder {
  readonly resources: RecordedResource[] = [];
  readonly world: MockWorld;

  constructor(world: MockWorld) {
    this.world = world;
  }

  /** Waits until every registration issued so far (and those they trigger) has completed. */
  async settle(): Promise<void> {
    await waitForRPCs();
  }

  byType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of `type` named `name`; throws when absent, naming what exists. */
  get(type: string, name: string): RecordedResource {
    const r = this.resources.find((x) => x.type === type && x.name === name);
    if (!r) {
      const names = this.byType(type).map((x) => x.name);
      throw new Error(`no ${type} named "${name}" (have: ${names.join(", ") || "none"})`);
    }
    return r;
  }

  /** Every resource below `urn` in the tree (not including it). */
  descendants(urn: string): RecordedResource[] {
    const out: RecordedResource[] = [];
    const walk = (u: string) => {
      for (const r of this.resources) {
        if (r.parent === u) {
          out.push(r);
          walk(r.urn);
        }
      }
    };
    walk(urn);
    return out;
  }

  /** The resource whose state holds `value` under `key` (e.g. arn), for following references. */
  findByState(key: string, value: unknown): RecordedResource | undefined {
    return this.resources.find((r) => r.state[key] === value);
  }
}

/**
 * Installs Pulumi's mock runtime with real-format state and answers to provider calls, and
 * records every registration with its parent. Call in a `before()`: the mocks are global to the
 * process and the last call wins.
 */
export function installMocks(options: MockOptions = {}): Recorder {
  const world: MockWorld = { ...DEFAULT_WORLD, ...options.world };
  const config = { ...(options.config ?? {}) };
  if (config["aws:region"]) world.region = config["aws:region"];
  else config["aws:region"] = world.region;
  pulumi.runtime.setAllConfig(config);
  const recorder = new Recorder(world);

  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        // Remote components (awsx) register as non-custom; those with a mock entry get its outputs.
        if (!args.custom && !MOCKED_TYPES.includes(args.type)) {
          return { id: undefined, state: args.inputs };
        }
        return mockState(args.type, args.name, args.inputs, world);
      },
      call: (args) => mockCall(args.token, args.inputs, world),
    },
    options.project ?? PROJECT,
    options.stack ?? "test",
    false,
  );

  // MockMonitor does not pass the parent to the mocks; wrap its registerResource to see it.
  type Callback = (
    err: unknown,
    resp: { getUrn(): string; getObject(): Struct } | undefined,
  ) => void;
  interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): Struct;
    getDependenciesList(): string[];
    getProtect(): boolean;
    getRetainondelete(): boolean;
  }
  const monitor = getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: Callback): Promise<void>;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    original(req, (err, resp) => {
      if (!err && resp) {
        recorder.resources.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent() || null,
          custom: req.getCustom(),
          inputs: deserializeProperties(req.getObject()),
          state: deserializeProperties(resp.getObject()),
          dependsOn: req.getDependenciesList(),
          retainOnDelete: req.getRetainondelete(),
          protect: req.getProtect(),
        });
      }
      cb(err, resp);
    });
  return recorder;
}

/** Resolves an Output's value (tests and the plan await this; never assert inside an apply). */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}
