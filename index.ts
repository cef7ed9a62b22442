// Entry point of `pulumi up` / `pulumi preview`: validates the stack config, builds the enabled
// flows (stacks/program.ts) and exports their outputs.
import { program } from "./stacks/program";

export = program;
