package dev.sluice.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch intra-op threads of the calling thread. OpenMP and MKL keep the count per thread, so a
 * process can run several compute threads with one PyTorch thread each (one per pipeline stage)
 * beside another with two (the in-process reference of a fair benchmark).
 */
public final class ComputeThreads {
  private ComputeThreads() {}

  /** Sets the calling thread's PyTorch intra-op thread count; 0 leaves the engine's default. */
  public static void use(int threads) {
    if (threads > 0) {
      ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library first
      JniUtils.setNumThreads(threads);
    }
  }

  /** The calling thread's PyTorch intra-op thread count. */
  public static int current() {
    ai.djl.engine.Engine.getEngine("PyTorch");
    return JniUtils.getNumThreads();
  }
}
