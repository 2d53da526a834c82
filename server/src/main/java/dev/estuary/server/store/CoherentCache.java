package dev.estuary.server.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Values read from the database, kept in memory until {@link #invalidate()}: what the caches that
 * follow the {@link ChangeFeed} are built from (docs/reliability.md, "What a replica caches").
 *
 * <p>A read that began before an invalidation never fills the cache with what it read: each entry
 * carries the cache's version at the start of its read, and only an entry of the current version is
 * served. So a write followed by {@link #invalidate()} (by the writer, or by the feed on another
 * replica) is never hidden by a read that raced it. At most {@code max} entries are kept; beyond
 * that the cache is emptied and fills again. Values may be null.
 */
final class CoherentCache<K, V> {
  private record Entry<V>(V value, long version) {}

  private final int max;
  private final AtomicLong version = new AtomicLong();
  private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();

  CoherentCache(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("a cache holds at least one entry, not " + max);
    }
    this.max = max;
  }

  /**
   * The cached value of {@code key}, or what {@code reader} reads now (cached if still current).
   */
  V get(K key, Supplier<V> reader) {
    long v = version.get();
    Entry<V> e = entries.get(key);
    if (e != null && e.version() == v) {
      return e.value();
    }
    Entry<V> loaded = new Entry<>(reader.get(), v);
    if (version.get() == v) {
      if (entries.size() >= max) {
        entries.clear();
      }
      entries.put(key, loaded);
      if (version.get() != v) {
        // invalidated while putting: do not leave what may be stale
        entries.remove(key, loaded);
      }
    }
    return loaded.value();
  }

  /** Forgets everything cached, and every read in flight. */
  void invalidate() {
    version.incrementAndGet();
    entries.clear();
  }

  /** How many entries are kept now. */
  int size() {
    return entries.size();
  }
}
