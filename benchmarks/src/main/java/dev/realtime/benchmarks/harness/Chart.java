package dev.realtime.benchmarks.harness;

import java.util.List;
import java.util.Locale;

/**
 * A horizontal grouped bar chart as SVG text: one group per backend, a bar for the raw client
 * and one for the SDK. No library: the report must regenerate with nothing but the JDK.
 */
public final class Chart {
  /** One group: its label and its two values (raw may be absent, as for memory). */
  public record Bars(String label, double raw, double sdk) {}

  private static final int WIDTH = 760;
  private static final int LABEL = 150;
  private static final int BAR = 14;
  private static final int GROUP = 2 * BAR + 14;

  private Chart() {}

  /** The chart titled {@code title}, values in {@code unit}. */
  public static String svg(String title, String unit, List<Bars> groups) {
    double max = groups.stream().mapToDouble(b -> Math.max(b.raw(), b.sdk())).max().orElse(1);
    int height = 50 + groups.size() * GROUP + 30;
    int span = WIDTH - LABEL - 110;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
        + "width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
        WIDTH, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(String.format(Locale.ROOT,
        "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
        escape(title)));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"30\" width=\"10\" height=\"10\" "
        + "fill=\"#9aa5b1\"/><text x=\"%d\" y=\"39\">raw client</text>"
        + "<rect x=\"%d\" y=\"30\" width=\"10\" height=\"10\" fill=\"#1f6feb\"/>"
        + "<text x=\"%d\" y=\"39\">SDK</text>%n", LABEL, LABEL + 14, LABEL + 100, LABEL + 114));
    int y = 50;
    for (Bars group : groups) {
      svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>%n",
          y + BAR + 4, escape(group.label())));
      bar(svg, y, group.raw(), max, span, "#9aa5b1", unit);
      bar(svg, y + BAR, group.sdk(), max, span, "#1f6feb", unit);
      y += GROUP;
    }
    return svg.append("</svg>\n").toString();
  }

  private static void bar(StringBuilder svg, int y, double value, double max, int span,
      String colour, String unit) {
    if (value <= 0) {
      return;
    }
    int length = (int) Math.max(1, Math.round(span * value / max));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
        + "fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s %s</text>%n", LABEL, y, length, BAR - 2,
        colour, LABEL + length + 4, y + BAR - 3, value >= 100
            ? String.format(Locale.ROOT, "%,.0f", value)
            : String.format(Locale.ROOT, "%.2f", value), unit));
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
