package io.spool.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Writes a run's measurements as a text table, a JSON file with every raw sample, and a PNG bar chart. */
final class Report {

  static final String TABLE_FILE = "bench.txt";
  static final String JSON_FILE = "bench.json";
  static final String PLOT_FILE = "bench.png";

  private static final int ROW_HEIGHT = 56;
  private static final int WIDTH = 1200;
  private static final int LABEL_WIDTH = 380;
  private static final Color SPOOL = new Color(0x2b6cb0);
  private static final Color PEER = new Color(0xdd6b20);

  private Report() {}

  /** The table: workload, metric, Spool's median, the peer's median, their ratio, and both spreads. */
  static String table(List<Measurement> rows) {
    StringBuilder b = new StringBuilder();
    String format = "%-11s %-52s %12s %12s %8s  %-22s %s%n";
    b.append(String.format(Locale.ROOT, format, "workload", "metric", "Spool", "peer", "ratio", "Spool min–max",
        "peer (min–max)"));
    for (Measurement m : rows) {
      String peer = m.peer() == null ? "" : m.peer() + " (" + number(Measurement.min(m.peerValues())) + "–"
          + number(Measurement.max(m.peerValues())) + ")";
      b.append(String.format(Locale.ROOT, format, m.workload(), m.metric(), number(m.spoolMedian()) + " " + m.unit(),
          m.peer() == null ? "" : number(m.peerMedian()) + " " + m.unit(),
          m.peer() == null ? "" : String.format(Locale.ROOT, "%.2f", m.ratio()),
          number(Measurement.min(m.spool())) + "–" + number(Measurement.max(m.spool())), peer));
    }
    return b.toString();
  }

  /** Writes the table, the JSON and the plot under {@code dir}; returns the three files. */
  static List<Path> write(Path dir, BenchOptions options, List<Measurement> rows) throws IOException {
    Files.createDirectories(dir);
    Path table = dir.resolve(TABLE_FILE);
    Files.writeString(table, table(rows), StandardCharsets.UTF_8);
    Path json = dir.resolve(JSON_FILE);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("options", Map.of("jobs", options.jobs(), "latencyJobs", options.latencyJobs(),
        "mapJobs", options.mapJobs(), "repetitions", options.repetitions()));
    doc.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
        "java", System.getProperty("java.version")));
    List<Map<String, Object>> list = new ArrayList<>();
    for (Measurement m : rows) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("workload", m.workload());
      row.put("metric", m.metric());
      row.put("unit", m.unit());
      row.put("spool", m.spool());
      row.put("spoolMedian", m.spoolMedian());
      if (m.peer() != null) {
        row.put("peer", m.peer());
        row.put("peerSamples", m.peerValues());
        row.put("peerMedian", m.peerMedian());
        row.put("ratio", m.ratio());
      }
      row.put("raw", m.raw());
      list.add(row);
    }
    doc.put("measurements", list);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
    Path plot = dir.resolve(PLOT_FILE);
    ImageIO.write(plot(rows), "png", plot.toFile());
    return List.of(table, json, plot);
  }

  /**
   * One group of bars per row: Spool's median and the peer's, each scaled to the larger of the two (the rows have
   * different units), with the values written beside the bars.
   */
  static BufferedImage plot(List<Measurement> rows) {
    int height = 60 + ROW_HEIGHT * Math.max(1, rows.size());
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, height);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.setColor(Color.BLACK);
      g.drawString("Spool (blue) vs its peer (orange): medians, each row scaled to its larger bar", 10, 22);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      int barSpace = WIDTH - LABEL_WIDTH - 320; // room for a value and its peer's name beside the longest bar
      for (int i = 0; i < rows.size(); i++) {
        Measurement m = rows.get(i);
        int y = 45 + i * ROW_HEIGHT;
        g.setColor(Color.BLACK);
        g.drawString(m.workload(), 10, y + 14);
        g.drawString(shorten(m.metric(), 56), 10, y + 30);
        double spool = m.spoolMedian();
        double peer = m.peerMedian();
        double scale = Double.isNaN(peer) ? spool : Math.max(spool, peer);
        bar(g, y, barSpace, spool / scale, SPOOL, number(spool) + " " + m.unit());
        if (!Double.isNaN(peer)) {
          bar(g, y + 20, barSpace, peer / scale, PEER, number(peer) + " " + m.unit() + "  (" + m.peer() + ")");
        }
        g.setColor(Color.LIGHT_GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawLine(10, y + ROW_HEIGHT - 8, WIDTH - 10, y + ROW_HEIGHT - 8);
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void bar(Graphics2D g, int y, int space, double fraction, Color color, String label) {
    int length = Double.isFinite(fraction) ? Math.max(1, (int) Math.round(fraction * space)) : 1;
    g.setColor(color);
    g.fillRect(LABEL_WIDTH, y + 2, length, 16);
    g.setColor(Color.BLACK);
    g.drawString(shorten(label, 48), LABEL_WIDTH + length + 6, y + 15);
  }

  private static String shorten(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  static String number(double value) {
    if (Double.isNaN(value)) {
      return "-";
    }
    if (Math.abs(value) >= 1000) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    if (Math.abs(value) >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    return String.format(Locale.ROOT, "%.2f", value);
  }
}
