package dev.sluice.bench;

import java.util.ArrayList;
import java.util.List;

/** The median of a benchmark's rounds: the figure every benchmark here compares and prints. */
public final class Medians {
  private Medians() {}

  /** The middle value (the mean of the two middle ones for an even count); NaN for none. */
  public static double of(List<Double> values) {
    List<Double> s = new ArrayList<>(values);
    s.sort(Double::compare);
    int n = s.size();
    return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
