package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.Images;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** An image whose interpreter is a packed archive on HDFS, localized into each container. */
@ExtendWith(SpoolClusterExtension.class)
class PackedInterpreterImageTest {

  @Test
  @Timeout(300)
  void jobsRunOnTheInterpreterFromThePackedArchive(Configuration conf, @TempDir Path dir) throws Exception {
    String real = Images.resolve(conf, conf.get(SpoolConfig.IMAGE_DEFAULT)).interpreter();
    Path bin = Files.createDirectories(dir.resolve("packed/bin"));
    Path python = bin.resolve("python3");
    Files.writeString(python, "#!/bin/sh\nexport SPOOL_PACKED_PYTHON=yes\nexec " + real + " \"$@\"\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path tgz = dir.resolve("packed.tgz");
    Process tar = new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", dir.resolve("packed").toString(), ".")
        .inheritIO().start();
    assertEquals(0, tar.waitFor());
    BlobStore blobs = BlobStore.open(conf);
    blobs.upload(tgz, "images/packed3.11.tgz");

    conf.set("spool.image.packed3.11.archive", "images/packed3.11.tgz");
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 10_000);
    String jobsPy = Paths.get(PackedInterpreterImageTest.class.getResource("/python/jobs.py").toURI()).toString();
    try (Spool spool = Spool.connect(conf)) {
      Function f = Function.builder(spool, jobsPy + ":which_python").image("packed3:latest").memory(256).build().save();
      assertEquals("packed3.11", f.image());
      Job job = f.call();
      assertEquals(JobStatus.SUCCESS, job.waitForCompletion(Duration.ofMinutes(3)), job::errorReason);
      assertEquals("yes", ((Map<?, ?>) job.result()).get("packed"));
    }
  }
}
