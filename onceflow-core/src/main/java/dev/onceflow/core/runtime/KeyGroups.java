package dev.onceflow.core.runtime;

/**
 * Key to key group to subtask. Keyed state is stored per key group so a job can later be rescaled by moving whole key
 * groups: keyGroup = murmurMix(key.hashCode()) mod maxParallelism, subtask = keyGroup * P / maxParallelism.
 */
public final class KeyGroups {
  private KeyGroups() {}

  /** The default maximum parallelism (number of key groups). */
  public static final int DEFAULT_MAX_PARALLELISM = 128;

  /** The key group of {@code key}. */
  public static int keyGroup(Object key, int maxParallelism) {
    return keyGroupOfHash(mixedHash(key), maxParallelism);
  }

  /** The key's hash as key groups use it: {@code key.hashCode()} spread by Murmur3's finaliser. */
  static int mixedHash(Object key) {
    return murmurMix(key.hashCode());
  }

  /** The key group of a key whose {@link #mixedHash} is {@code h}. */
  static int keyGroupOfHash(int h, int maxParallelism) {
    // a mask instead of a division for the usual power-of-two group counts (same result as floorMod)
    return (maxParallelism & (maxParallelism - 1)) == 0 ? h & (maxParallelism - 1) : Math.floorMod(h, maxParallelism);
  }

  /** The subtask owning {@code keyGroup}. */
  public static int subtask(int keyGroup, int parallelism, int maxParallelism) {
    return keyGroup * parallelism / maxParallelism;
  }

  /** First key group owned by {@code subtask} (inclusive). */
  public static int firstKeyGroup(int subtask, int parallelism, int maxParallelism) {
    return (subtask * maxParallelism + parallelism - 1) / parallelism;
  }

  /** Murmur3's 32-bit finaliser: spreads poor hashCodes (small ints, similar strings) over all key groups. */
  static int murmurMix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
