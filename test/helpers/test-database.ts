/**
 * This Jest worker's own database, cloned from the run's migrated one by global-setup. A worker
 * process's suites run one after another on it, in that process's own queue namespace, so the rows
 * one worker's suites leave (a job still queued, say) are never seen by the other worker's.
 */
export function testDatabaseUrl(): string {
  const template = process.env.TEST_DATABASE_URL;
  if (!template) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`');
  const url = new URL(template);
  url.pathname = `${url.pathname}_w${process.env.JEST_WORKER_ID ?? '1'}`;
  return url.toString();
}
