package dev.sluice.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every tensor of a model directory by name: a single {@code model.safetensors}, a sharded
 * checkpoint with {@code model.safetensors.index.json}, or any set of {@code *.safetensors} files
 * (as a split stage directory holds). Only headers are read up front; data is mapped on demand.
 */
public final class TensorSource {
  private final Path dir;
  private final Map<String, TensorInfo> tensors;

  private TensorSource(Path dir, Map<String, TensorInfo> tensors) {
    this.dir = dir;
    this.tensors = tensors;
  }

  public static TensorSource open(Path dir) {
    try {
      List<Path> files;
      Path index = dir.resolve("model.safetensors.index.json");
      if (Files.exists(index)) {
        JsonNode map = new ObjectMapper().readTree(index.toFile()).get("weight_map");
        java.util.Set<String> names = new java.util.TreeSet<>();
        map.elements().forEachRemaining(f -> names.add(f.asText()));
        files = names.stream().map(dir::resolve).toList();
      } else {
        try (Stream<Path> s = Files.list(dir)) {
          files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
      }
      if (files.isEmpty()) {
        throw new IllegalArgumentException("no .safetensors files in " + dir);
      }
      Map<String, TensorInfo> all = new HashMap<>();
      for (Path f : files) {
        all.putAll(SafetensorsFile.readHeader(f));
      }
      return new TensorSource(dir, Collections.unmodifiableMap(all));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read safetensors in " + dir, e);
    }
  }

  public Path dir() {
    return dir;
  }

  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  public Optional<TensorInfo> find(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  /** The tensor as f32 little-endian, after checking its shape. */
  public ByteBuffer f32(String name, long... expectedShape) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new MissingTensorException("tensor " + name + " (expected shape " + java.util.Arrays.toString(expectedShape)
          + ") is missing from " + dir);
    }
    if (!java.util.Arrays.equals(info.shape(), expectedShape)) {
      throw new MissingTensorException("tensor " + name + " has shape " + info.shapeText() + " but the config expects "
          + java.util.Arrays.toString(expectedShape));
    }
    try {
      return SafetensorsFile.readF32(info);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tensor " + name, e);
    }
  }

  /** Thrown when a tensor is absent or its shape disagrees with the config; the message names both shapes. */
  public static final class MissingTensorException extends IllegalArgumentException {
    public MissingTensorException(String message) {
      super(message);
    }
  }
}
