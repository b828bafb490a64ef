import io.spool.client.Job;
import io.spool.client.Spool;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A 2-d little-endian float64 array read from .npy bytes. Spool finds {@link #deserialize(byte[])} by itself when a
 * job's result is read as this type: {@code job.result(NpyMatrix.class)}.
 *
 * <p>{@code java -cp CLASSPATH NpyMatrix.java JOB_ID} reads a job's result; {@code ... NpyMatrix.java --file F.npy}
 * reads a file such as the one {@code spool blob get NAME -o F.npy} writes.
 */
public final class NpyMatrix {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+)\\)");

  private final int rows;
  private final int cols;
  private final double[] values;

  private NpyMatrix(int rows, int cols, double[] values) {
    this.rows = rows;
    this.cols = cols;
    this.values = values;
  }

  /** Parses .npy format version 1 or 2: a header dict, then the data in C order. */
  public static NpyMatrix deserialize(byte[] npy) {
    if (npy.length < 12 || !Arrays.equals(Arrays.copyOf(npy, MAGIC.length), MAGIC)) {
      throw new IllegalArgumentException("not a .npy file");
    }
    ByteBuffer buffer = ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN);
    int major = npy[6];
    int headerLength = major == 1 ? buffer.getShort(8) & 0xffff : buffer.getInt(8);
    int headerStart = major == 1 ? 10 : 12;
    String header = new String(npy, headerStart, headerLength, StandardCharsets.ISO_8859_1);
    Matcher shape = SHAPE.matcher(header);
    if (!header.contains("'descr': '<f8'") || !header.contains("'fortran_order': False") || !shape.find()) {
      throw new IllegalArgumentException("not a 2-d little-endian float64 array in C order: " + header.trim());
    }
    int rows = Integer.parseInt(shape.group(1));
    int cols = Integer.parseInt(shape.group(2));
    double[] values = new double[rows * cols];
    buffer.position(headerStart + headerLength);
    buffer.asDoubleBuffer().get(values);
    return new NpyMatrix(rows, cols, values);
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public double get(int row, int col) {
    return values[row * cols + col];
  }

  public double sum() {
    return Arrays.stream(values).sum();
  }

  @Override
  public String toString() {
    return rows + "x" + cols + " float64, sum " + sum() + ", last " + get(rows - 1, cols - 1);
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--file")) {
      System.out.println(deserialize(Files.readAllBytes(Path.of(args[1]))));
      return;
    }
    try (Spool spool = Spool.connect()) {
      System.out.println(Job.get(spool, args[0]).result(NpyMatrix.class));
    }
  }
}
