package io.spool.core.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * The ACLs of the nodes a user's store creates: everything is the user's alone (all permissions) and readable by
 * the cluster's Spool administrators (the supervisors' election by everyone too); only the shared parents — the root
 * and its {@code functions} and {@code owners} directories — let every client list them and make and remove children
 * there. (A function's node always has children that are its owner's alone, so nobody else can delete it.)
 */
final class OwnerAcls implements ACLProvider {

  private final StateLayout layout;
  private final List<ACL> own;
  /** The supervisors' election: theirs, and readable by every client (who asks whether one is active). */
  private final List<ACL> election;
  // lists that allow contains(null): ZooKeeper's create() asks them
  private final List<ACL> shared = Collections.unmodifiableList(new ArrayList<>(List.of(
      new ACL(Perms.READ | Perms.CREATE | Perms.DELETE, new Id("world", "anyone")))));

  OwnerAcls(StateLayout layout, StateIdentity identity, List<Id> admins) {
    this.layout = layout;
    List<ACL> acls = new ArrayList<>();
    acls.add(new ACL(Perms.ALL, identity.aclId()));
    for (Id admin : admins) {
      acls.add(new ACL(Perms.READ, admin));
    }
    this.own = Collections.unmodifiableList(acls);
    List<ACL> readable = new ArrayList<>(acls);
    readable.add(new ACL(Perms.READ, new Id("world", "anyone")));
    this.election = Collections.unmodifiableList(readable);
  }

  @Override
  public List<ACL> getDefaultAcl() {
    return own;
  }

  @Override
  public List<ACL> getAclForPath(String path) {
    if (layout.root().startsWith(path) || path.equals(layout.functions()) || path.equals(layout.owners())) {
      return shared;
    }
    if (path.startsWith(layout.supervisorLeader()) || layout.supervisorLeader().startsWith(path + "/")) {
      return election;
    }
    return own;
  }
}
