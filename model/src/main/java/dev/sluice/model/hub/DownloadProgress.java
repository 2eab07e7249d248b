package dev.sluice.model.hub;

/** Told as a file downloads; {@link #bar} draws a one-line progress bar with carriage returns. */
public interface DownloadProgress {

  /** @param total bytes of the whole file, or -1 when unknown; {@code done} includes a resumed part */
  void update(String file, long done, long total);

  /** The file is complete (downloaded and checked, or already in the cache). */
  void finished(String file, long total, boolean fromCache);

  DownloadProgress NONE = new DownloadProgress() {
    @Override
    public void update(String file, long done, long total) {}

    @Override
    public void finished(String file, long total, boolean fromCache) {}
  };

  /** A text progress bar on {@code out}, redrawn in place (at most every 1% or 200 ms). */
  static DownloadProgress bar(java.io.PrintWriter out) {
    return new DownloadProgress() {
      private long lastDraw;
      private int lastPercent = -1;

      @Override
      public void update(String file, long done, long total) {
        int percent = total > 0 ? (int) (100 * done / total) : -1;
        long now = System.nanoTime();
        if (percent == lastPercent && now - lastDraw < 200_000_000L) {
          return;
        }
        lastDraw = now;
        lastPercent = percent;
        int filled = percent < 0 ? 0 : percent * 30 / 100;
        out.printf("\r%-32s [%s%s] %3s %s", file, "#".repeat(filled), " ".repeat(30 - filled),
            percent < 0 ? "" : percent + "%", size(done) + (total > 0 ? " / " + size(total) : ""));
        out.flush();
      }

      @Override
      public void finished(String file, long total, boolean fromCache) {
        out.printf("\r%-32s [%s] %s %s%n", file, "#".repeat(30), size(total), fromCache ? "(cached)" : "ok");
        out.flush();
        lastPercent = -1;
      }
    };
  }

  private static String size(long bytes) {
    if (bytes >= 1L << 30) return String.format(java.util.Locale.ROOT, "%.2f GB", bytes / 1e9);
    if (bytes >= 1L << 20) return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    return String.format(java.util.Locale.ROOT, "%.1f kB", bytes / 1e3);
  }
}
