package dev.sluice.topics;

import java.util.List;

/** The cluster's topics do not match the layout; the message lists every problem. */
public final class TopicLayoutException extends RuntimeException {
  private final List<String> problems;

  public TopicLayoutException(List<String> problems) {
    super("the topics do not match the layout:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
