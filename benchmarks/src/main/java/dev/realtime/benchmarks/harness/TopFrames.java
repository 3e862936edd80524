package dev.realtime.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples fall: {@code java -jar benchmarks.jar top-frames FILE [N]}
 * prints the N (20) hottest methods by samples taken in them (self), the N hottest of the SDK's
 * own methods ({@code dev.realtime.*}, outside the benchmarks) by samples taken in them or in
 * what they call (total), and the share of each thread. JDK 17's {@code jfr} tool prints every
 * stack but sums none, and a profile is read by its sums.
 *
 * <p>Record with {@code -XX:StartFlightRecording=filename=FILE,settings=profile} around {@link
 * OneRun}: its samples are the harness process's, publisher and consumer both, so the raw and
 * the SDK side of one workload are recorded one at a time (SIDES {@code raw} or {@code sdk}).
 */
public final class TopFrames {
  private TopFrames() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: top-frames FILE.jfr [N]");
      System.exit(2);
    }
    int most = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    System.out.print(summary(Path.of(args[0]), most));
  }

  /** The three tables of {@link TopFrames}, as text. */
  public static String summary(Path recording, int most) throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> total = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    int samples = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        samples++;
        List<RecordedFrame> frames = stack.getFrames();
        self.merge(name(frames.get(0)), 1, Integer::sum);
        // A recursive method counts once per sample, or its total would pass 100%.
        Set<String> seen = new HashSet<>();
        for (RecordedFrame frame : frames) {
          String name = name(frame);
          if (isSdk(name) && seen.add(name)) {
            total.merge(name, 1, Integer::sum);
          }
        }
        String thread = event.getThread("sampledThread") == null ? "?"
            : event.getThread("sampledThread").getJavaName();
        threads.merge(thread == null ? "?" : thread.replaceAll("[0-9]+", "N"), 1, Integer::sum);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%,d CPU samples in %s%n", samples,
        recording.getFileName()));
    table(out, "hottest methods (self)", self, samples, most);
    table(out, "the SDK's methods (total, with what they call)", total, samples, most);
    table(out, "threads (numbers folded)", threads, samples, most);
    return out.toString();
  }

  private static boolean isSdk(String method) {
    return method.startsWith("dev.realtime.") && !method.startsWith("dev.realtime.benchmarks.");
  }

  private static String name(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  private static void table(StringBuilder out, String title, Map<String, Integer> counts,
      int samples, int most) {
    out.append(String.format(Locale.ROOT, "%n%s%n", title));
    List<Map.Entry<String, Integer>> rows = new ArrayList<>(counts.entrySet());
    rows.sort(Map.Entry.<String, Integer>comparingByValue().reversed()
        .thenComparing(Map.Entry.comparingByKey()));
    for (Map.Entry<String, Integer> row : rows.subList(0, Math.min(most, rows.size()))) {
      out.append(String.format(Locale.ROOT, "%6.1f%%  %s%n",
          100.0 * row.getValue() / Math.max(samples, 1), row.getKey()));
    }
  }
}
