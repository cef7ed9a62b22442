import type * as pulumi from "@pulumi/pulumi";
import { SecureTable } from "../components/data/secureTable";
import type { StackContext } from "./flow";

/**
 * A flow's data table keyed by a string `id`: deletion protection and retain-on-delete outside
 * dev (the stack context decides).
 */
export function idTable(name: string, ctx: StackContext, parent: pulumi.Resource): SecureTable {
  return new SecureTable(
    name,
    {
      hashKey: { name: "id", type: "S" },
      deletionProtection: !ctx.isDev,
      retainOnDelete: ctx.retainData,
    },
    { parent },
  );
}
