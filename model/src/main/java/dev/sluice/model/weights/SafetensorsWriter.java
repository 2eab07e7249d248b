package dev.sluice.model.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file tensor by tensor, so models larger than the heap can be written: the
 * header (all names, dtypes and shapes) is fixed when the writer opens, then each tensor's bytes
 * are appended in the declared order.
 */
public final class SafetensorsWriter implements AutoCloseable {

  /** One tensor to be written. */
  public record Entry(String name, TensorDType dtype, long[] shape) {
    long bytes() {
      return Arrays.stream(shape).reduce(1, (a, b) -> a * b) * dtype.bytes();
    }
  }

  private final FileChannel channel;
  private final List<Entry> entries;
  private int next;

  public SafetensorsWriter(Path file, List<Entry> entries) throws IOException {
    this.entries = List.copyOf(entries);
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Entry e : this.entries) {
      ObjectNode t = header.putObject(e.name());
      t.put("dtype", e.dtype().name());
      var shape = t.putArray("shape");
      for (long d : e.shape()) {
        shape.add(d);
      }
      t.putArray("data_offsets").add(offset).add(offset + e.bytes());
      offset += e.bytes();
    }
    byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padded = (headerBytes.length + 7) / 8 * 8; // 8-byte alignment of the data, padded with spaces
    ByteBuffer start = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    start.putLong(padded).put(headerBytes);
    while (start.hasRemaining()) {
      start.put((byte) ' ');
    }
    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
    writeAll(start.flip());
  }

  /** Writes f32 entries from a float array; the next declared entry must be this one. */
  public void write(String name, float[] values) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    write(name, buf);
  }

  /** Writes a tensor's raw bytes (already in its declared dtype, little-endian). */
  public void write(String name, ByteBuffer bytes) throws IOException {
    Entry e = entries.get(next);
    if (!e.name().equals(name) || bytes.remaining() != e.bytes()) {
      throw new IllegalStateException("expected tensor " + e.name() + " of " + e.bytes() + " bytes, got " + name + " of "
          + bytes.remaining());
    }
    writeAll(bytes.duplicate());
    next++;
  }

  private void writeAll(ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
    if (next != entries.size()) {
      throw new IllegalStateException("only " + next + " of " + entries.size() + " tensors were written");
    }
  }

  /** A writer of f32 tensors of these names and shapes, to be written in this order. */
  public static SafetensorsWriter f32(Path file, Map<String, long[]> shapes) throws IOException {
    List<Entry> list = new java.util.ArrayList<>();
    shapes.forEach((name, shape) -> list.add(new Entry(name, TensorDType.F32, shape)));
    return new SafetensorsWriter(file, list);
  }

  /** Convenience for small models: writes every (name → values, shape) f32 tensor at once. */
  public static void writeF32(Path file, Map<String, float[]> values, Map<String, long[]> shapes) throws IOException {
    Map<String, long[]> ordered = new LinkedHashMap<>();
    values.keySet().forEach(name -> ordered.put(name, shapes.get(name)));
    try (SafetensorsWriter w = f32(file, ordered)) {
      for (Map.Entry<String, float[]> v : new LinkedHashMap<>(values).entrySet()) {
        w.write(v.getKey(), v.getValue());
      }
    }
  }
}
