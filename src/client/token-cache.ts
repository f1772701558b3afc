/**
 * An admin credential cache shared by processes. Terraform runs up to 10 provisioners (CLI
 * processes) at once, and AIC allows 5 concurrent sessions per service account, every token
 * request opening one (reference §1): so the processes of one machine mint ONE credential, under
 * a lock file, and reuse it until shortly before it expires.
 *
 * One file per (base URL, auth identity), named by a hash so the file name reveals neither; the
 * directory is 0700 and the files 0600, since the file holds a live credential. The lock is an
 * exclusively created file (O_EXCL) whose holder touches it while it mints (a slow or
 * rate-limited token endpoint can take longer than `staleLockMs`); a lock whose process is gone or
 * that nobody touched for `staleLockMs` is broken. Waiters poll with short jittered sleeps and
 * take the fresh credential as soon as the holder writes it.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CLI_ENV } from "../contract/constants";
import { AicApiError } from "./errors";

/** A credential as the headers that carry it, and when it stops working. */
export interface CacheEntry {
  headers: Record<string, string>;
  expiresAtMs: number;
  /** When it was minted; with `expiresAtMs`, its lifetime. */
  mintedAtMs?: number;
}

export interface TokenCacheOptions {
  dir: string;
  /** Identifies the credential: base URL and auth identity (hashed before use). */
  key: string;
  /** A cached credential this close to expiry (at most half its lifetime) is re-minted. @default 60000 */
  refreshMarginMs?: number;
  /** A lock its holder has not touched for this long is broken even if its process lives. @default 30000 */
  staleLockMs?: number;
}

interface LockContent {
  pid: number;
  nonce: string;
  createdAtMs: number;
}

/** `CDKTF_AIC_TOKEN_CACHE_DIR`, else `$XDG_CACHE_HOME/cdktf-aic`, else `~/.cache/cdktf-aic`. */
export function defaultTokenCacheDir(env: Record<string, string | undefined> = process.env): string {
  return env[CLI_ENV.tokenCacheDir] || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "cdktf-aic");
}

/** One line for a cache directory that cannot be made: what, where, the fix (not a raw EEXIST). */
function unusableDir(dir: string, e: unknown): AicApiError {
  const code = (e as { code?: unknown }).code;
  const why = code === "EEXIST" || code === "ENOTDIR" ? "is not a directory (a file is in the way)" : `cannot be created (${String(code ?? e)})`;
  return new AicApiError({
    code: "TOKEN_CACHE_UNUSABLE",
    message: `the admin token cache directory (${CLI_ENV.tokenCacheDir}, else ~/.cache/cdktf-aic) ${dir} ${why}`,
    fix: `point ${CLI_ENV.tokenCacheDir} at a directory this user can write (it is created if missing), or unset it`,
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TokenCache {
  readonly file: string;
  readonly lockFile: string;
  private readonly dir: string;
  private readonly refreshMarginMs: number;
  private readonly staleLockMs: number;
  private dirReady?: Promise<void>;

  constructor(options: TokenCacheOptions) {
    this.dir = options.dir;
    const name = createHash("sha256").update(options.key).digest("hex").slice(0, 40);
    this.file = join(options.dir, `${name}.json`);
    this.lockFile = join(options.dir, `${name}.lock`);
    this.refreshMarginMs = options.refreshMarginMs ?? 60_000;
    this.staleLockMs = options.staleLockMs ?? 30_000;
  }

  /**
   * A usable credential: the cached one when fresh, else one minted under the lock (by this
   * process or, if another holds the lock, by that one). `rejected` is a credential that just
   * failed with 401: it is replaced only if it is still the cached one, so that N processes
   * hitting the same 401 re-mint once, not N times.
   */
  async get(mint: () => Promise<CacheEntry>, rejected?: Record<string, string>): Promise<CacheEntry> {
    await this.ensureDir();
    for (;;) {
      const cached = await this.readUsable(rejected);
      if (cached) return cached;
      const lock = await this.tryLock();
      if (!lock) {
        await sleep(15 + Math.random() * 35);
        continue;
      }
      try {
        // Another process may have written a fresh entry between our read and our lock.
        const again = await this.readUsable(rejected);
        if (again) return again;
        const heartbeat = setInterval(() => {
          const now = new Date();
          fs.utimes(this.lockFile, now, now).catch(() => undefined);
        }, this.staleLockMs / 3);
        heartbeat.unref();
        try {
          const entry = { mintedAtMs: Date.now(), ...(await mint()) };
          await this.write(entry);
          return entry;
        } finally {
          clearInterval(heartbeat);
        }
      } finally {
        await this.unlock(lock);
      }
    }
  }

  private ensureDir(): Promise<void> {
    this.dirReady ??= (async () => {
      try {
        await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      } catch (e) {
        throw unusableDir(this.dir, e);
      }
      const stat = await fs.stat(this.dir);
      // Tighten a directory we own that others can read (e.g. made by hand with the default umask).
      if (typeof process.getuid === "function" && stat.uid === process.getuid() && (stat.mode & 0o077) !== 0) {
        await fs.chmod(this.dir, 0o700);
      }
    })();
    return this.dirReady;
  }

  private async readUsable(rejected?: Record<string, string>): Promise<CacheEntry | undefined> {
    let entry: CacheEntry;
    try {
      entry = JSON.parse(await fs.readFile(this.file, "utf8")) as CacheEntry;
    } catch {
      return undefined; // absent, or half-written by a crashed process: mint anew
    }
    if (!entry || typeof entry.expiresAtMs !== "number" || typeof entry.headers !== "object") return undefined;
    // A short-lived credential (a lifetime under twice the margin) is kept for half its life,
    // or it would be re-minted, one session each, on every request.
    const lifetimeMs = entry.mintedAtMs === undefined ? Infinity : entry.expiresAtMs - entry.mintedAtMs;
    if (entry.expiresAtMs - Math.min(this.refreshMarginMs, lifetimeMs / 2) <= Date.now()) return undefined;
    if (rejected && sameHeaders(entry.headers, rejected)) return undefined;
    return entry;
  }

  /** Atomic replace (write a private temp file, rename), so readers never see half a file. */
  private async write(entry: CacheEntry): Promise<void> {
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    const handle = await fs.open(tmp, "wx", 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(JSON.stringify(entry));
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, this.file);
  }

  private async tryLock(): Promise<LockContent | undefined> {
    const content: LockContent = { pid: process.pid, nonce: randomBytes(8).toString("hex"), createdAtMs: Date.now() };
    try {
      const handle = await fs.open(this.lockFile, "wx", 0o600);
      try {
        await handle.writeFile(JSON.stringify(content));
      } finally {
        await handle.close();
      }
      return content;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    await this.breakIfStale();
    return undefined;
  }

  /**
   * Removes a lock whose holder died or that is too old. Two waiters may judge the same lock
   * stale; the loser might then remove the winner's fresh lock, which costs one extra mint
   * (one more session, well under the cap), never a wrong credential.
   */
  private async breakIfStale(): Promise<void> {
    let holder: Partial<LockContent> = {};
    let ageMs: number;
    try {
      const [text, stat] = await Promise.all([fs.readFile(this.lockFile, "utf8"), fs.stat(this.lockFile)]);
      ageMs = Date.now() - stat.mtimeMs;
      try {
        holder = JSON.parse(text) as LockContent;
      } catch {
        // Created but not yet written, or the writer crashed: judged by age alone.
      }
    } catch {
      return; // released meanwhile
    }
    const dead = typeof holder.pid === "number" && !processAlive(holder.pid);
    if (dead || ageMs > this.staleLockMs) await fs.rm(this.lockFile, { force: true });
  }

  private async unlock(lock: LockContent): Promise<void> {
    try {
      const current = JSON.parse(await fs.readFile(this.lockFile, "utf8")) as LockContent;
      if (current.nonce === lock.nonce) await fs.rm(this.lockFile, { force: true });
    } catch {
      // Already broken by a waiter that judged it stale.
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
