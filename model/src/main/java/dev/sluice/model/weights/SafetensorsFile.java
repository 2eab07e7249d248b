package dev.sluice.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The header of one {@code .safetensors} file: 8-byte little-endian header length, a JSON header
 * (name → dtype, shape, data_offsets relative to the end of the header), then raw tensor bytes.
 * Tensor bytes are read later through a read-only memory map of just that tensor's range.
 */
public final class SafetensorsFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SafetensorsFile() {}

  /** Reads the header and returns every tensor's location, in file order. */
  public static Map<String, TensorInfo> readHeader(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > ch.size()) {
        throw new IOException(file + " is not a safetensors file (header length " + headerLen + ")");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8);
      JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
      long dataStart = 8 + headerLen;
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        JsonNode t = e.getValue();
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = t.get("shape").get(i).asLong();
        }
        TensorInfo info = new TensorInfo(e.getKey(), file, TensorDType.parse(t.get("dtype").asText(), e.getKey()),
            shape, dataStart + t.get("data_offsets").get(0).asLong(), dataStart + t.get("data_offsets").get(1).asLong());
        if (info.end() - info.begin() != info.elements() * info.dtype().bytes() || info.end() > ch.size()) {
          throw new IOException("tensor " + info.name() + " in " + file + " has a byte range that does not match its shape "
              + info.shapeText());
        }
        tensors.put(e.getKey(), info);
      }
      return tensors;
    }
  }

  /** Maps one tensor read-only (little-endian); each tensor is below 2 GiB even when the file is not. */
  public static ByteBuffer map(TensorInfo info) throws IOException {
    try (FileChannel ch = FileChannel.open(info.file(), StandardOpenOption.READ)) {
      return ch.map(FileChannel.MapMode.READ_ONLY, info.begin(), info.end() - info.begin()).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  /**
   * The tensor's values as f32 little-endian in a direct buffer: the memory map itself for F32,
   * a converted copy for F16 and BF16 (DJL aborts the JVM on bf16 tensors, so never hand it one).
   */
  public static ByteBuffer readF32(TensorInfo info) throws IOException {
    ByteBuffer raw = map(info);
    if (info.dtype() == TensorDType.F32) {
      return raw;
    }
    int n = Math.toIntExact(info.elements());
    ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      short bits = raw.getShort(i * 2);
      float value = info.dtype() == TensorDType.BF16
          ? Float.intBitsToFloat((bits & 0xffff) << 16) // bf16 is the top half of an f32: exact
          : halfToFloat(bits);
      out.putFloat(i * 4, value);
    }
    return out;
  }

  /** IEEE 754 binary16 to f32 (Float.float16ToFloat needs Java 20; the baseline is 17). */
  static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) { // inf or NaN
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float sub = mant * 0x1p-24f; // subnormal: mant × 2^-24
      return sign != 0 ? -sub : sub;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }
}
