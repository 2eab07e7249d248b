package dev.sluice.router;

import dev.sluice.model.tokenizer.TextTokenizer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A tokenizer that loads on its own thread while the router joins its group and restores its
 * stores: loading the native tokenizer takes seconds on a busy machine, and a replacement router
 * must route again within seconds of its start. Requests with promptTokens never wait for it; the
 * first request with text waits until it is loaded.
 */
final class BackgroundTokenizer implements PromptTokenizer, AutoCloseable {
  private final CompletableFuture<TextTokenizer> loading;

  BackgroundTokenizer(Supplier<TextTokenizer> load) {
    loading = CompletableFuture.supplyAsync(load, r -> {
      Thread t = new Thread(r, "sluice-router-tokenizer-load");
      t.setDaemon(true);
      t.start();
    });
  }

  @Override
  public int[] encode(String text) {
    try {
      return loading.join().encode(text);
    } catch (CompletionException e) {
      throw new IllegalStateException("the tokenizer could not be loaded: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() {
    loading.thenAccept(TextTokenizer::close);
  }
}
