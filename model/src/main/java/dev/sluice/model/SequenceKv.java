package dev.sluice.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The hot KV cache of one sequence for one stage's layers, preallocated once and written in place.
 *
 * <p>One f32 tensor {@code [layers, 2 (K then V), capacity, kvHeads, headDim]}. Positions
 * [0, length) are valid. {@link #exportRange} / {@link #importRange} move whole positions in and
 * out as bytes for the block cache, in that same layout restricted to the positions:
 * for each layer of the stage (in order), K then V, each [positions, kvHeads, headDim], f32 LE.
 *
 * <p>Not thread-safe; a sequence is stepped by one thread at a time.
 */
public final class SequenceKv implements AutoCloseable {
  private final StageModel owner;
  private final NDManager manager;
  private final NDArray kv; // [layers, 2, capacity, kvHeads, headDim]
  private final int capacity;
  private final int layers;
  private final int kvHeads;
  private final int headDim;
  private int length;

  SequenceKv(StageModel owner, NDManager parent, int layers, int capacity, int kvHeads, int headDim) {
    if (capacity < 1) {
      throw new IllegalArgumentException("KV capacity must be at least 1 token, got " + capacity);
    }
    this.owner = owner;
    this.manager = parent.newSubManager();
    this.layers = layers;
    this.capacity = capacity;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    this.kv = manager.zeros(new Shape(layers, 2, capacity, kvHeads, headDim), DataType.FLOAT32);
  }

  /** Tokens whose K and V are held. */
  public int length() {
    return length;
  }

  public int capacity() {
    return capacity;
  }

  /** Forgets positions from {@code len} on (e.g. to recompute or to reuse a cached prefix). */
  public void truncate(int len) {
    if (len < 0 || len > length) {
      throw new IllegalArgumentException("cannot truncate KV of length " + length + " to " + len);
    }
    length = len;
  }

  /** Bytes per position in {@link #exportRange}: layers × 2 × kvHeads × headDim × 4. */
  public int bytesPerPosition() {
    return bytesPerPosition(layers, kvHeads, headDim);
  }

  static int bytesPerPosition(int layers, int kvHeads, int headDim) {
    return layers * 2 * kvHeads * headDim * Float.BYTES;
  }

  /** K and V of positions [from, to) of every layer of this stage; layout in the class comment. */
  public byte[] exportRange(int from, int to) {
    if (from < 0 || to > length || from > to) {
      throw new IllegalArgumentException("cannot export [" + from + ", " + to + ") of KV with length " + length);
    }
    try (NDArray slice = kv.get(new NDIndex(":, :, {}:{}", from, to))) {
      // slice: [layers, 2, to-from, kvHeads, headDim]; toByteBuffer copies it contiguously
      ByteBuffer buf = slice.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      return out;
    }
  }

  /** Writes positions [from, from + n) back from {@link #exportRange} bytes; length becomes max(length, to). */
  public void importRange(int from, byte[] data) {
    if (data.length % bytesPerPosition() != 0) {
      throw new IllegalArgumentException("KV bytes (" + data.length + ") are not whole positions of "
          + bytesPerPosition() + " bytes");
    }
    int n = data.length / bytesPerPosition();
    int to = from + n;
    if (from < 0 || from > length || to > capacity) {
      throw new IllegalArgumentException("cannot import [" + from + ", " + to + ") into KV of length " + length
          + " and capacity " + capacity);
    }
    ByteBuffer buf = ByteBuffer.allocateDirect(data.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(data).flip();
    try (NDManager tmp = manager.newSubManager();
        NDArray values = tmp.create(buf, new Shape(layers, 2, n, kvHeads, headDim), DataType.FLOAT32)) {
      kv.set(new NDIndex(":, :, {}:{}", from, to), values);
    }
    length = Math.max(length, to);
  }

  /** Writes K and V [n, kvHeads, headDim] of one layer at positions [start, start + n). */
  void write(int layer, int start, NDArray k, NDArray v) {
    int end = start + (int) k.getShape().get(0);
    if (end > capacity) {
      throw new IllegalStateException("sequence needs " + end + " positions but its KV capacity is " + capacity);
    }
    kv.set(new NDIndex(layer, 0).addSliceDim(start, end), k);
    kv.set(new NDIndex(layer, 1).addSliceDim(start, end), v);
  }

  /** K of one layer for positions [0, len): [len, kvHeads, headDim] (a view). */
  NDArray keys(int layer, int len) {
    return kv.get(new NDIndex(layer, 0).addSliceDim(0, len));
  }

  /** V of one layer for positions [0, len): [len, kvHeads, headDim] (a view). */
  NDArray values(int layer, int len) {
    return kv.get(new NDIndex(layer, 1).addSliceDim(0, len));
  }

  void advance(int n) {
    length += n;
  }

  StageModel owner() {
    return owner;
  }

  @Override
  public void close() {
    manager.close();
  }
}
