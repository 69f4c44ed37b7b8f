// A wait that an abort cuts short by rejecting with the signal's reason, as the SDK's own
// waits do; it leaves no listener behind on a long-lived signal.
export function sleep(ms: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) return reject(abortSignal.reason);
    const timer = setTimeout(done, Math.max(1, ms));
    function done() {
      abortSignal?.removeEventListener("abort", aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(abortSignal?.reason);
    }
    abortSignal?.addEventListener("abort", aborted, { once: true });
  });
}
