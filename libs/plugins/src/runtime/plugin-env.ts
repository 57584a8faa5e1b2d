/**
 * The whole environment of a plugin: nothing of the server's (no DATABASE_URL, no secrets). PWD is
 * set in every mode because bubblewrap always sets it.
 */
export function pluginEnv(pluginId: string, dir: string): Record<string, string> {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', HOME: dir, PWD: dir, MARQUEE_PLUGIN_ID: pluginId };
}
