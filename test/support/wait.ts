/**
 * Polls until `check` passes (resolves or returns without throwing), for what the emulator does on its own
 * time: rebuilds and reloads on file-system events, log lines after an answer.
 */
export async function eventually(check: () => unknown, timeoutMs = 10_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
