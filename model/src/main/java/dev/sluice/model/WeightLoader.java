package dev.sluice.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sluice.model.weights.TensorSource;

/** Creates weight tensors in the stage's weights manager, checking names and shapes. */
record WeightLoader(TensorSource source, NDManager manager) {

  NDArray load(String name, long... shape) {
    return manager.create(source.f32(name, shape), new Shape(shape), DataType.FLOAT32);
  }

  boolean has(String name) {
    return source.find(name).isPresent();
  }
}
