package io.spool.appmaster;

import java.util.Map;
import org.apache.hadoop.yarn.api.records.LocalResource;

/**
 * What a container of this master runs: its localized resources, environment and command.
 *
 * @param resources localized files and archives, by name in the container's working directory
 * @param environment the container's environment
 * @param command the shell command
 */
record LaunchSpec(Map<String, LocalResource> resources, Map<String, String> environment, String command) {}
