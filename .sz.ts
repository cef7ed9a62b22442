import * as fs from "node:fs";
import { bundleFunction } from "./components/compute/bundle";
for (const n of fs.readdirSync("functions").sort()) {
  if (!fs.existsSync(`functions/${n}/handler.ts`)) continue;
  const b = bundleFunction(n);
  console.log(n.padEnd(18), (b.code.length / 1024).toFixed(1).padStart(6), "map", (b.map.length / 1024).toFixed(1));
}
