import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, readOrCreateSecret } from '@marquee/core';

const KEY_FILE = 'plugin-secrets.key';
const VERSION = 'v1';

/**
 * Seals plugin secrets with AES-256-GCM. The key is 32 random bytes kept in
 * `<dataDir>/secrets/plugin-secrets.key` (mode 0600, made on first use; api and worker share it).
 * Each value is bound to its plugin and setting name (the GCM associated data), so a sealed value
 * copied to another plugin or field does not open.
 */
@Injectable()
export class SecretBox {
  private key?: Buffer;

  constructor(private readonly config: AppConfig) {}

  private keyBytes(): Buffer {
    if (!this.key) {
      const key = Buffer.from(readOrCreateSecret(this.config.dataDir, KEY_FILE, 32), 'base64url');
      if (key.length !== 32) throw new Error(`${KEY_FILE} in the data dir's secrets folder is not a 32-byte key`);
      this.key = key;
    }
    return this.key;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyBytes(), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
  }

  open(sealed: string, context: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('Not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.keyBytes(), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('A sealed secret could not be opened (wrong key or tampered value)');
    }
  }
}
