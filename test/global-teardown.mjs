export default async function globalTeardown() {
  await globalThis.__MARQUEE_TEST_DB__?.drop();
}
