package io.spool.core.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;

/**
 * The images a cluster offers, from its configuration. An image {@code <name>} is one of:
 *
 * <ul>
 *   <li>a Python installed on every node: {@code spool.image.<name>.interpreter} = its absolute path;
 *   <li>a packed interpreter on the cluster's file system, localized (and cached) per node:
 *       {@code spool.image.<name>.archive} = the archive's path, with {@code .interpreter} the interpreter's path
 *       inside it (default {@code bin/python3});
 *   <li>a container image for YARN's Docker runtime: {@code spool.image.<name>.docker} = the image, with
 *       {@code .interpreter} the interpreter's path inside it (default {@code python3}); the image must also hold
 *       the Java that runs Spool's runner.
 * </ul>
 *
 * A requested image {@code name} or {@code name:latest} is that configured name; {@code python3:latest} (a name
 * that is not configured, with the tag {@code latest}) is the newest configured {@code python3.<minor>}.
 */
public final class Images {

  /** How an image provides its interpreter. */
  public enum Kind { INTERPRETER, ARCHIVE, DOCKER }

  /**
   * A resolved image.
   *
   * @param name the configured name
   * @param kind how it provides the interpreter
   * @param interpreter the interpreter: absolute on the node, inside the archive, or inside the container image
   * @param location the archive's path or the Docker image; null for {@link Kind#INTERPRETER}
   */
  public record Image(String name, Kind kind, String interpreter, String location) {}

  private static final String ARCHIVE_SUFFIX = ".archive";
  private static final String DOCKER_SUFFIX = ".docker";
  private static final Pattern VERSION = Pattern.compile("(\\d+(?:\\.\\d+)*)$");

  private Images() {}

  /** The configured image names, sorted. */
  public static List<String> configured(Configuration conf) {
    TreeSet<String> names = new TreeSet<>();
    for (Map.Entry<String, String> e : conf.getPropsWithPrefix(SpoolConfig.IMAGE_PREFIX).entrySet()) {
      for (String suffix : List.of(SpoolConfig.IMAGE_INTERPRETER_SUFFIX, ARCHIVE_SUFFIX, DOCKER_SUFFIX)) {
        if (e.getKey().endsWith(suffix) && !e.getValue().isBlank()) {
          names.add(e.getKey().substring(0, e.getKey().length() - suffix.length()));
        }
      }
    }
    names.remove("default");
    return new ArrayList<>(names);
  }

  /**
   * Resolves a requested image string.
   *
   * @throws IllegalArgumentException for an unknown image, listing the configured ones
   */
  public static Image resolve(Configuration conf, String requested) {
    String text = requested == null ? "" : requested.trim();
    List<String> names = configured(conf);
    Optional<String> name = names.contains(text) ? Optional.of(text) : Optional.empty();
    if (name.isEmpty()) {
      int colon = text.lastIndexOf(':');
      String base = colon < 0 ? text : text.substring(0, colon);
      String tag = colon < 0 ? "latest" : text.substring(colon + 1);
      if ("latest".equals(tag)) {
        name = names.contains(base) ? Optional.of(base) : newest(names, base);
      }
    }
    return name.map(n -> image(conf, n)).orElseThrow(() -> new IllegalArgumentException("unknown image '" + text
        + "': the configured images are " + names + " (an image is set by " + SpoolConfig.IMAGE_PREFIX
        + "<name>.interpreter, .archive or .docker)"));
  }

  /** The newest configured {@code <base>.<n>…} by version, e.g. python3.12 over python3.9 for {@code python3}. */
  private static Optional<String> newest(List<String> names, String base) {
    return names.stream()
        .filter(n -> n.startsWith(base + ".") && VERSION.matcher(n.substring(base.length() + 1)).matches())
        .max(Comparator.comparing(Images::version, Images::compareVersions));
  }

  private static int[] version(String name) {
    Matcher m = VERSION.matcher(name);
    if (!m.find()) {
      return new int[0];
    }
    return Arrays.stream(m.group(1).split("\\.")).mapToInt(Integer::parseInt).toArray();
  }

  private static int compareVersions(int[] a, int[] b) {
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      int x = i < a.length ? a[i] : 0;
      int y = i < b.length ? b[i] : 0;
      if (x != y) {
        return Integer.compare(x, y);
      }
    }
    return 0;
  }

  private static Image image(Configuration conf, String name) {
    String prefix = SpoolConfig.IMAGE_PREFIX + name;
    String interpreter = conf.getTrimmed(prefix + SpoolConfig.IMAGE_INTERPRETER_SUFFIX, "");
    String archive = conf.getTrimmed(prefix + ARCHIVE_SUFFIX, "");
    String docker = conf.getTrimmed(prefix + DOCKER_SUFFIX, "");
    if (!archive.isEmpty()) {
      return new Image(name, Kind.ARCHIVE, interpreter.isEmpty() ? "bin/python3" : interpreter, archive);
    }
    if (!docker.isEmpty()) {
      return new Image(name, Kind.DOCKER, interpreter.isEmpty() ? "python3" : interpreter, docker);
    }
    return new Image(name, Kind.INTERPRETER, interpreter, null);
  }
}
