package dev.estuary.cli.agent;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.Location;
import com.sun.jdi.Method;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stops a child JVM dead at the entry of one method, from outside, through the JDK's own debugger
 * interface (JDWP on loopback, JDI): the agent under test carries no pause point of its own. The
 * child starts with {@link #JVM_OPTION} (suspended until the breakpoint is set); when the
 * breakpoint is hit every thread of the child stays suspended, so the test can {@code kill -9} it
 * at exactly that point.
 */
final class DebuggerStop implements AutoCloseable {
  /** The child's JVM option: a JDWP server on a free loopback port, suspended at start. */
  static final String JVM_OPTION =
      "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=127.0.0.1:0";

  private static final Pattern LISTENING =
      Pattern.compile("Listening for transport dt_socket at address: (\\d+)");

  private final VirtualMachine vm;
  private final String className;
  private final String methodName;

  private DebuggerStop(VirtualMachine vm, String className, String methodName) {
    this.vm = vm;
    this.className = className;
    this.methodName = methodName;
  }

  /**
   * Attaches to the child whose output goes to {@code log}, sets a breakpoint at the entry of every
   * method {@code methodName} of {@code className} (as soon as the class is loaded) and lets the
   * child run.
   */
  static DebuggerStop at(Path log, String className, String methodName, Duration timeout)
      throws Exception {
    int port = port(log, timeout);
    AttachingConnector socket =
        Bootstrap.virtualMachineManager().attachingConnectors().stream()
            .filter(c -> c.name().equals("com.sun.jdi.SocketAttach"))
            .findFirst()
            .orElseThrow();
    Map<String, Connector.Argument> args = socket.defaultArguments();
    args.get("hostname").setValue("127.0.0.1");
    args.get("port").setValue(Integer.toString(port));
    VirtualMachine vm = socket.attach(args);
    DebuggerStop stop = new DebuggerStop(vm, className, methodName);
    ClassPrepareRequest prepared = vm.eventRequestManager().createClassPrepareRequest();
    prepared.addClassFilter(className);
    prepared.setSuspendPolicy(EventRequest.SUSPEND_ALL);
    prepared.enable();
    for (ReferenceType loaded : vm.classesByName(className)) {
      stop.breakIn(loaded);
    }
    vm.resume();
    return stop;
  }

  /**
   * Waits until the breakpoint is hit; the child then stays suspended.
   *
   * @return false if it was not hit within {@code timeout} (or the child ended)
   */
  boolean awaitHit(Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      EventSet events = vm.eventQueue().remove(250);
      if (events == null) {
        continue;
      }
      for (Event e : events) {
        if (e instanceof BreakpointEvent) {
          return true;
        }
        if (e instanceof ClassPrepareEvent prepared) {
          breakIn(prepared.referenceType());
        }
      }
      events.resume();
    }
    return false;
  }

  private void breakIn(ReferenceType type) {
    int set = 0;
    for (Method m : type.methodsByName(methodName)) {
      Location entry = m.location();
      if (entry == null) {
        continue; // abstract or native
      }
      BreakpointRequest b = vm.eventRequestManager().createBreakpointRequest(entry);
      b.setSuspendPolicy(EventRequest.SUSPEND_ALL);
      b.enable();
      set++;
    }
    if (set == 0) {
      throw new IllegalStateException("no method " + methodName + " in " + className);
    }
  }

  private static int port(Path log, Duration timeout) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (Files.exists(log)) {
        Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the child did not start its debugger port: " + log);
  }

  /** Lets go of the child (after it was killed, there is nothing left to let go of). */
  @Override
  public void close() {
    try {
      vm.dispose();
    } catch (RuntimeException gone) {
      // killed: the connection is gone already
    }
  }
}
