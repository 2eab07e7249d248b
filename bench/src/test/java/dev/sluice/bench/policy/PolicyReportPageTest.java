package dev.sluice.bench.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.bench.simulation.RoutingSimulation.Report;
import dev.sluice.bench.simulation.RoutingSimulation.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyReportPageTest {

  private static final PolicyReport REPORT = new PolicyReport(
      new PolicyReport.Workload("traces/<odd>.jsonl", 400, 20_000, 800_000, 4_000, 900, 512),
      new Settings(4, 100, 20_000, 2, CacheAwareParams.DEFAULTS), 11,
      List.of(
          new Report("random", 400, 800_000, 48_000, 0.06, 0.379, new int[] {90, 110, 95, 105}, 1.07, 1998, 10_840,
              Map.of("load_balanced", 400L)),
          new Report("prefix_hash", 400, 800_000, 286_400, 0.358, 0.379, new int[] {0, 0, 400, 0}, 3.96, 1437, 63_584,
              Map.of("affinity_hit", 400L)),
          new Report("cache_aware", 400, 800_000, 290_400, 0.363, 0.379, new int[] {99, 101, 100, 100}, 1.03, 859, 3_128,
              Map.of("affinity_hit", 120L, "new_prefix", 280L))));

  @Test
  void shouldWriteOneTableRowPerPolicyWithItsNumbers(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("sub/report.html");

    PolicyReportPage.write(REPORT, file);

    String html = Files.readString(file);
    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    assertThat(html.split("<tr class=\"policy\">", -1)).hasSize(1 + 3);
    assertThat(html).contains("<td>random</td><td>6.0%</td><td>37.9%</td><td>16%</td><td>1.07</td><td>2.00 s</td>"
        + "<td>10.8 s</td><td>90</td><td>110</td>");
    assertThat(html).contains("<td>prefix_hash</td><td>35.8%</td>").contains("<td>63.6 s</td><td>0</td><td>400</td>");
    assertThat(html).contains("<td>cache_aware</td><td>36.3%</td><td>37.9%</td><td>96%</td><td>1.03</td><td>859 ms</td>");
    assertThat(html).contains("affinity_hit 120, new_prefix 280");
  }

  @Test
  void shouldDrawFourInlineChartsAndStateTheScale() {
    String html = PolicyReportPage.render(REPORT);

    assertThat(html.split("<svg ", -1)).hasSize(1 + 4);
    // one requests-per-lane bar per lane and policy, with its count as the tooltip
    assertThat(html).contains("<title>lane 2: 400 requests</title>").contains("<title>lane 0: 90 requests</title>");
    assertThat(html).contains("<title>hit rate 36.3%</title>").contains("<title>pooled ceiling 37.9%</title>");
    assertThat(html).contains("<title>busiest/mean 3.96</title>").contains("<title>p99 63.6 s</title>");
    assertThat(html).contains("blocks of 512 tokens").contains("100 blocks (51,200 tokens)")
        .contains("prefill 20,000 tokens/s").contains("decode 2.00 ms").contains("<dd>4</dd>").contains("<dd>11</dd>");
    // offered load: (800,000 / 20,000 s + 4,000 × 2 ms) / (4 lanes × 20 s) = 60%
    assertThat(html).contains("60% of lane capacity");
    // names from files are escaped, and nothing is fetched from elsewhere
    assertThat(html).contains("traces/&lt;odd&gt;.jsonl").doesNotContain("<odd>");
    assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("src=").doesNotContain("http://")
        .doesNotContain("https://");
  }

  @Test
  void shouldPrintAnAlignedTableWithOneLinePerPolicy() {
    List<String> lines = REPORT.table().lines().toList();

    assertThat(lines).hasSize(2 + 3);
    assertThat(lines.get(2)).startsWith("random").contains("6.0%", "37.9%", "15.8%", "1.07", "2.00 s", "10.8 s", "90", "110");
    assertThat(lines.get(4)).startsWith("cache_aware").contains("36.3%", "95.8%", "859 ms", "3.13 s");
    assertThat(lines.stream().map(String::length).distinct()).hasSize(1);
  }
}
