package dev.estuary.bench;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Each benchmark thread's place in a pool of {@link Material#POOL} inputs, so no two consecutive
 * operations see the same one.
 */
@State(Scope.Thread)
public class Cursor {
  private int i = (int) (Thread.currentThread().threadId() * 31) & (Material.POOL - 1);

  /** The next index in [0, POOL). */
  public int next() {
    i = (i + 1) & (Material.POOL - 1);
    return i;
  }
}
