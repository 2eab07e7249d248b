package dev.sluice.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --speed} of {@code bench replay --from-topic}: the recorded spacing ({@code original}, factor 1),
 * all at once ({@code max}, factor 0) or N times faster ({@code N} or {@code Nx}, factor N > 0), as given.
 */
record ReplaySpeed(String given, double factor) {

  @Override
  public String toString() {
    return given;
  }

  /** picocli's conversion of the flag's value; anything else is a usage error. */
  static final class Converter implements ITypeConverter<ReplaySpeed> {
    @Override
    public ReplaySpeed convert(String value) {
      return switch (value) {
        case "original" -> new ReplaySpeed(value, 1);
        case "max" -> new ReplaySpeed(value, 0);
        default -> new ReplaySpeed(value, factor(value));
      };
    }

    private static double factor(String value) {
      String number = value.endsWith("x") || value.endsWith("×") ? value.substring(0, value.length() - 1) : value;
      try {
        double x = Double.parseDouble(number);
        if (x > 0) return x;
      } catch (NumberFormatException e) {
        // the message below
      }
      throw new TypeConversionException("must be original, max or a factor N > 0: " + value);
    }
  }
}
