package dev.sluice.bench.prefix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A built-in shared-prefix workload: prompts of synthetic token ids (deterministic, so every policy
 * and every run sees the same prompts), in the order they are sent. The three shapes are the ones
 * prefix-caching benchmarks publish:
 * <ul>
 *   <li>{@code groups}: G groups × Q questions; each group's prompts open with its own P-token system
 *       prompt, then a U-token question of their own. Sent group-interleaved (question 0 of every
 *       group, then question 1, ...).
 *   <li>{@code multi-turn}: C conversations × T turns; turn t is turn t-1's prompt plus a U-token
 *       answer and a U-token question, after a P-token opening. Sent turn by turn.
 *   <li>{@code system-prompt}: G × Q requests behind one P-token system prompt (the shape that puts
 *       every request on one lane under prefix_hash), each with its own U-token question.
 * </ul>
 *
 * @param name the workload's name ({@link #NAMES})
 * @param description its shape in words, for the report
 * @param prompts the prompts in send order (ids {@code name-0, name-1, ...} are given when sent)
 */
public record PrefixWorkload(String name, String description, List<int[]> prompts) {
  public static final List<String> NAMES = List.of("groups", "multi-turn", "system-prompt");

  /**
   * Sizes of the workloads.
   *
   * @param groups G (groups; conversations for multi-turn)
   * @param questions Q (questions per group; turns for multi-turn)
   * @param prefixTokens P (system prompt or conversation opening)
   * @param questionTokens U (each question, and each answer in multi-turn)
   * @param vocab token ids are drawn from [3, vocab)
   * @param bos the BOS id to put first, or -1 for none
   */
  public record Shape(int groups, int questions, int prefixTokens, int questionTokens, int vocab, int bos) {
    public Shape {
      if (groups < 1 || questions < 1 || prefixTokens < 1 || questionTokens < 1) {
        throw new IllegalArgumentException("groups, questions, prefix tokens and question tokens must be >= 1");
      }
      if (vocab < 16) throw new IllegalArgumentException("vocab must be >= 16: " + vocab);
    }
  }

  public PrefixWorkload {
    prompts = List.copyOf(prompts);
  }

  /**
   * The same prompts with every token id from [3, vocab) moved by {@code shift} (mod the range): the
   * same prefix sharing, no block in common with this workload — for uncounted warm-up rounds.
   */
  public PrefixWorkload shifted(int shift, int vocab) {
    List<int[]> moved = prompts.stream().map(p -> java.util.Arrays.stream(p)
        .map(t -> t < 3 ? t : 3 + Math.floorMod(t - 3 + shift, vocab - 3)).toArray()).toList();
    return new PrefixWorkload(name, description, moved);
  }

  public static PrefixWorkload of(String name, Shape s) {
    return switch (name) {
      case "groups" -> groups(s);
      case "multi-turn" -> multiTurn(s);
      case "system-prompt" -> systemPrompt(s);
      default -> throw new IllegalArgumentException("unknown workload '" + name + "'; known: " + String.join(", ", NAMES));
    };
  }

  static PrefixWorkload groups(Shape s) {
    List<int[]> prompts = new ArrayList<>();
    for (int q = 0; q < s.questions(); q++) {
      for (int g = 0; g < s.groups(); g++) {
        prompts.add(concat(s, tokens(s, 1_000 + g, s.prefixTokens()), tokens(s, 100_000 + g * 1_000 + q, s.questionTokens())));
      }
    }
    return new PrefixWorkload("groups", String.format(Locale.ROOT, "%d groups x %d questions: a %d-token system prompt per "
        + "group, then a %d-token question", s.groups(), s.questions(), s.prefixTokens(), s.questionTokens()), prompts);
  }

  static PrefixWorkload multiTurn(Shape s) {
    List<int[]> prompts = new ArrayList<>();
    int[][] conversation = new int[s.groups()][];
    for (int turn = 0; turn < s.questions(); turn++) {
      for (int c = 0; c < s.groups(); c++) {
        int[] previous = turn == 0 ? concat(s, tokens(s, 2_000 + c, s.prefixTokens())) : concat(null, conversation[c],
            tokens(s, 300_000 + c * 1_000 + turn, s.questionTokens())); // the previous turn's answer
        conversation[c] = concat(null, previous, tokens(s, 200_000 + c * 1_000 + turn, s.questionTokens()));
        prompts.add(conversation[c]);
      }
    }
    return new PrefixWorkload("multi-turn", String.format(Locale.ROOT, "%d conversations x %d turns: a %d-token opening, each "
        + "turn adds a %d-token answer and a %d-token question", s.groups(), s.questions(), s.prefixTokens(),
        s.questionTokens(), s.questionTokens()), prompts);
  }

  static PrefixWorkload systemPrompt(Shape s) {
    List<int[]> prompts = new ArrayList<>();
    int[] system = tokens(s, 3_000, s.prefixTokens());
    for (int i = 0; i < s.groups() * s.questions(); i++) prompts.add(concat(s, system, tokens(s, 400_000 + i, s.questionTokens())));
    return new PrefixWorkload("system-prompt", String.format(Locale.ROOT, "%d requests behind one %d-token system prompt, "
        + "each with its own %d-token question", prompts.size(), s.prefixTokens(), s.questionTokens()), prompts);
  }

  /**
   * The cached share one pooled cache of unlimited size would give: each prompt's longest run of
   * whole {@code blockSize} blocks that some earlier prompt also had, at most the blocks before its
   * last token (that one is always computed), over all prompt tokens.
   */
  public double ceiling(int blockSize) {
    Set<String> seen = new HashSet<>();
    long cached = 0;
    long total = 0;
    for (int[] p : prompts) {
      total += p.length;
      int usable = (p.length - 1) / blockSize;
      int matched = 0;
      while (matched < usable && seen.contains(Arrays.toString(Arrays.copyOf(p, (matched + 1) * blockSize)))) matched++;
      cached += (long) matched * blockSize;
      for (int b = 1; b * blockSize <= p.length; b++) seen.add(Arrays.toString(Arrays.copyOf(p, b * blockSize)));
    }
    return total == 0 ? 0 : (double) cached / total;
  }

  public long promptTokens() {
    return prompts.stream().mapToLong(p -> p.length).sum();
  }

  public int longestPrompt() {
    return prompts.stream().mapToInt(p -> p.length).max().orElse(0);
  }

  /** {@code n} ids in [3, vocab) from a fixed mix of {@code seed}: the same seed gives the same tokens. */
  static int[] tokens(Shape s, long seed, int n) {
    int[] out = new int[n];
    long z = seed * 0x9E3779B97F4A7C15L;
    for (int i = 0; i < n; i++) {
      z += 0x9E3779B97F4A7C15L;
      long x = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
      out[i] = 3 + (int) Math.floorMod(x ^ (x >>> 31), (long) (s.vocab() - 3));
    }
    return out;
  }

  /** The parts one after the other, after the BOS when {@code s} is given and has one. */
  private static int[] concat(Shape s, int[]... parts) {
    int bos = s != null && s.bos() >= 0 ? 1 : 0;
    int[] out = new int[bos + Arrays.stream(parts).mapToInt(p -> p.length).sum()];
    if (bos == 1) out[0] = s.bos();
    int at = bos;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
