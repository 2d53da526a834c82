package dev.estuary.server.app;

import dev.estuary.server.auth.Actor;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.store.BasicUser;
import dev.estuary.server.store.BindingStore;
import dev.estuary.server.store.BootstrapSecret;
import dev.estuary.server.store.CredentialStore;
import dev.estuary.server.store.NameBinding;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What devices and factories authenticate with, and the names they hold: bootstrap secrets, Basic
 * users and name bindings. Any role reads (never a secret or a hash); an operator or admin creates,
 * disables, deletes and releases.
 */
public final class CredentialService {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialService.class);

  private final CredentialStore store;
  private final SecretMinter minter;
  private final BindingStore bindings;

  public CredentialService(CredentialStore store, SecretMinter minter, BindingStore bindings) {
    this.store = store;
    this.minter = minter;
    this.bindings = bindings;
  }

  public SecretMinter.MintedSecret createSecret(
      Actor actor, String label, Integer uses, Instant expires) throws NotPermitted {
    Permission.CREATE_BOOTSTRAP_SECRETS.check(actor);
    SecretMinter.MintedSecret s = minter.bootstrapSecret(label, uses, expires, actor.auditName());
    // audited (in the store's transaction): actor.auditName() created bootstrap secret
    // s.stored().id(), label, uses, expires
    LOG.info(
        "created bootstrap secret id={} label={} uses={} expires={} by {}",
        s.stored().id(),
        label,
        uses,
        expires,
        actor.auditName());
    return s;
  }

  /** The secrets of {@code label}, or of every label when null. */
  public List<BootstrapSecret> listSecrets(Actor actor, String label) throws NotPermitted {
    Permission.LIST_BOOTSTRAP_SECRETS.check(actor);
    return store.listSecrets(label);
  }

  public Optional<BootstrapSecret> findSecret(Actor actor, String id) throws NotPermitted {
    Permission.READ_BOOTSTRAP_SECRETS.check(actor);
    return store.findSecret(id);
  }

  /**
   * @return false when there is no such secret
   */
  public boolean disableSecret(Actor actor, String id) throws NotPermitted {
    Permission.DISABLE_BOOTSTRAP_SECRETS.check(actor);
    boolean done = store.disableSecret(id, actor.auditName());
    if (done) {
      // audited (in the store's transaction): actor.auditName() disabled bootstrap secret id
      LOG.info("disabled bootstrap secret id={} by {}", id, actor.auditName());
    }
    return done;
  }

  /**
   * @return false when there is no such secret
   */
  public boolean deleteSecret(Actor actor, String id) throws NotPermitted {
    Permission.DELETE_BOOTSTRAP_SECRETS.check(actor);
    boolean done = store.deleteSecret(id, actor.auditName());
    if (done) {
      // audited (in the store's transaction): actor.auditName() deleted bootstrap secret id
      LOG.info("deleted bootstrap secret id={} by {}", id, actor.auditName());
    }
    return done;
  }

  /** Creates or replaces a Basic user; returns its new password (shown once). */
  public String createBasicUser(Actor actor, String username, String label) throws NotPermitted {
    Permission.CREATE_BASIC_USERS.check(actor);
    String password = minter.basicUser(username, label, actor.auditName());
    // audited (in the store's transaction): actor.auditName() created or replaced Basic user
    // username, label (never the password)
    LOG.info(
        "created or replaced Basic user {} for label {} by {}", username, label, actor.auditName());
    return password;
  }

  public List<BasicUser> listBasicUsers(Actor actor) throws NotPermitted {
    Permission.LIST_BASIC_USERS.check(actor);
    return store.listBasicUsers();
  }

  public Optional<BasicUser> findBasicUser(Actor actor, String username) throws NotPermitted {
    Permission.READ_BASIC_USERS.check(actor);
    return store.findBasicUser(username);
  }

  /**
   * @return false when there is no such user
   */
  public boolean disableBasicUser(Actor actor, String username) throws NotPermitted {
    Permission.DISABLE_BASIC_USERS.check(actor);
    boolean done = store.disableBasicUser(username, actor.auditName());
    if (done) {
      // audited (in the store's transaction): actor.auditName() disabled Basic user username
      LOG.info("disabled Basic user {} by {}", username, actor.auditName());
    }
    return done;
  }

  /**
   * @return false when there is no such user
   */
  public boolean deleteBasicUser(Actor actor, String username) throws NotPermitted {
    Permission.DELETE_BASIC_USERS.check(actor);
    boolean done = store.deleteBasicUser(username, actor.auditName());
    if (done) {
      // audited (in the store's transaction): actor.auditName() deleted Basic user username
      LOG.info("deleted Basic user {} by {}", username, actor.auditName());
    }
    return done;
  }

  /** Name bindings of {@code label} (every label when null), at most {@code limit}. */
  public List<NameBinding> listBindings(Actor actor, String label, int limit) throws NotPermitted {
    Permission.LIST_NAME_BINDINGS.check(actor);
    return bindings.list(label, limit);
  }

  /**
   * Frees a bound name for the next identity that asks.
   *
   * @return the binding released; empty when the name was not bound
   */
  public Optional<NameBinding> releaseBinding(Actor actor, String label, String name)
      throws NotPermitted {
    Permission.RELEASE_NAME_BINDINGS.check(actor);
    Optional<NameBinding> b = bindings.find(label, name);
    if (b.isEmpty()) {
      return b;
    }
    bindings.release(label, name, actor.auditName());
    // audited (in the store's transaction): actor.auditName() released binding label, name,
    // b.get().principal()
    LOG.info(
        "released binding label={} name=\"{}\" principal={} by {}",
        label,
        name.replaceAll("\\p{Cntrl}", "?"),
        b.get().principal(),
        actor.auditName());
    return b;
  }
}
