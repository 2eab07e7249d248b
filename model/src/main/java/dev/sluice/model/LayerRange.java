package dev.sluice.model;

/**
 * A contiguous run of transformer layers that one pipeline stage runs: layers {@code start}
 * (inclusive) to {@code end} (exclusive) internally. The text form used on the command line and
 * in manifests is inclusive at both ends, so {@code --layers 0-2} means layers 0, 1 and 2.
 */
public record LayerRange(int start, int end) {

  public LayerRange {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("layer range needs 0 <= start < end, got [" + start + ", " + end + ")");
    }
  }

  /** Parses "A-B" (both inclusive) or a single layer "A". */
  public static LayerRange parse(String text) {
    String t = text.trim();
    try {
      int dash = t.indexOf('-');
      if (dash < 0) {
        int layer = Integer.parseInt(t);
        return new LayerRange(layer, layer + 1);
      }
      int first = Integer.parseInt(t.substring(0, dash).trim());
      int last = Integer.parseInt(t.substring(dash + 1).trim());
      if (last < first) {
        throw new IllegalArgumentException("layer range '" + text + "' ends before it starts");
      }
      return new LayerRange(first, last + 1);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("layer range '" + text + "' is not of the form A-B (e.g. 0-2 = layers 0,1,2)", e);
    }
  }

  /** All layers of a model with {@code numLayers} layers. */
  public static LayerRange all(int numLayers) {
    return new LayerRange(0, numLayers);
  }

  /**
   * Splits {@code numLayers} layers into {@code stages} contiguous ranges as evenly as possible
   * (earlier stages get the extra layer).
   */
  public static java.util.List<LayerRange> split(int numLayers, int stages) {
    if (stages < 1 || stages > numLayers) {
      throw new IllegalArgumentException("cannot split " + numLayers + " layers into " + stages + " stages");
    }
    java.util.List<LayerRange> ranges = new java.util.ArrayList<>();
    int start = 0;
    for (int s = 0; s < stages; s++) {
      int size = numLayers / stages + (s < numLayers % stages ? 1 : 0);
      ranges.add(new LayerRange(start, start + size));
      start += size;
    }
    return ranges;
  }

  /** Whether a stage running these layers is the first (it embeds the tokens). */
  public boolean isFirst() {
    return start == 0;
  }

  /** Whether a stage running these layers of a {@code numLayers}-layer model is the last (it has the LM head). */
  public boolean isLastOf(int numLayers) {
    return end == numLayers;
  }

  public int size() {
    return end - start;
  }

  public boolean contains(int layer) {
    return layer >= start && layer < end;
  }

  /** The inclusive text form, "A-B". */
  @Override
  public String toString() {
    return start + "-" + (end - 1);
  }
}
