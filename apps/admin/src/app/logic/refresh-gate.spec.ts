import { RefreshGate, actionFor } from './refresh-gate.js';

describe('token refresh', () => {
  it('runs one refresh for every caller that asks while it is under way', async () => {
    let calls = 0;
    let finish!: (ok: boolean) => void;
    const gate = new RefreshGate(() => {
      calls++;
      return new Promise<boolean>((resolve) => (finish = resolve));
    });
    const waiting = [gate.run(), gate.run(), gate.run()];
    expect(gate.busy).toBe(true);
    finish(true);
    await expect(Promise.all(waiting)).resolves.toEqual([true, true, true]);
    expect(calls).toBe(1);
    expect(gate.busy).toBe(false);
    // The next 401 after it finished refreshes again.
    const again = gate.run();
    finish(false);
    await expect(again).resolves.toBe(false);
    expect(calls).toBe(2);
  });

  it('a failed refresh frees the gate for the next one', async () => {
    let calls = 0;
    const gate = new RefreshGate(async () => {
      calls++;
      if (calls === 1) throw new Error('offline');
      return true;
    });
    await expect(gate.run()).rejects.toThrow('offline');
    await expect(gate.run()).resolves.toBe(true);
  });

  it('refreshes once on a 401, signs out on a second, and leaves the auth routes alone', () => {
    expect(actionFor(200, '/api/v1/items', false)).toBe('pass');
    expect(actionFor(403, '/api/v1/jobs', false)).toBe('pass');
    expect(actionFor(401, '/api/v1/items', false)).toBe('refresh-and-retry');
    expect(actionFor(401, '/api/v1/items', true)).toBe('sign-out');
    expect(actionFor(401, '/api/v1/auth/login', false)).toBe('pass');
    expect(actionFor(401, '/api/v1/auth/refresh', false)).toBe('pass');
    expect(actionFor(401, '/api/v1/auth/register?x=1', false)).toBe('pass');
    expect(actionFor(401, '/api/v1/auth/me', false)).toBe('refresh-and-retry');
  });
});
