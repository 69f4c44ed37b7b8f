// kstatus's verdict on objects, from kstatus-check: our few lines of Go over
// sigs.k8s.io/cli-utils/pkg/kstatus/status, the library Flux and kpt wait with.
import { execFile } from "node:child_process";
import { ensureKstatusCheck } from "../../src/controlplane/gitops-tools.ts";

export interface KstatusVerdict {
  /** InProgress, Current, Failed or Terminating. */
  status: string;
  message: string;
}

export async function kstatusOf(objects: unknown[]): Promise<KstatusVerdict[]> {
  const bin = await ensureKstatusCheck();
  return new Promise((resolve, reject) => {
    const child = execFile(bin, [], (error, stdout, stderr) => {
      if (error) reject(new Error(`kstatus-check failed: ${stderr}`));
      else resolve(JSON.parse(stdout) as KstatusVerdict[]);
    });
    child.stdin?.end(JSON.stringify(objects));
  });
}
