package dev.sluice.schemas.serde;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every earlier version of every record schema, bundled under {@code dev/sluice/schemas/history/}
 * and listed in its {@code index.txt}. When a schema changes, its previous .avsc goes there.
 */
public final class SchemaHistory {
  private static final String DIR = "/dev/sluice/schemas/history/";

  private SchemaHistory() {}

  /** Historical schemas whose full name is {@code fullName} (the current one not included). */
  public static List<Schema> historicalSchemas(String fullName) {
    List<Schema> out = new ArrayList<>();
    for (String file : index()) {
      Schema s = load(file);
      if (s.getFullName().equals(fullName)) out.add(s);
    }
    return out;
  }

  public static Schema load(String file) {
    try (InputStream in = SchemaHistory.class.getResourceAsStream(DIR + file)) {
      if (in == null) throw new IllegalStateException("historical schema " + file + " is listed but missing");
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> index() {
    try (InputStream in = SchemaHistory.class.getResourceAsStream(DIR + "index.txt")) {
      if (in == null) return List.of();
      List<String> files = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (!line.isBlank() && !line.startsWith("#")) files.add(line.trim());
        }
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
