package dev.onceflow.verify.custom;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Creates a {@link VerifiableJob} by class name, from this JVM's class path plus an optional extra one. */
final class JobLoader {
  private JobLoader() {}

  /**
   * A new instance of {@code className}.
   *
   * @param extraClassPath entries separated by the platform's path separator (jars or class directories), or empty
   * @throws IllegalArgumentException naming the class and what is wrong with it
   */
  static VerifiableJob load(String className, String extraClassPath) {
    ClassLoader loader = loader(extraClassPath);
    Class<?> c;
    try {
      c = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("pipeline class " + className + " not found on the class path"
          + (extraClassPath.isEmpty() ? "; give its jar with --classpath" : " nor in " + extraClassPath), e);
    }
    if (!VerifiableJob.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException("pipeline class " + className + " does not implement "
          + VerifiableJob.class.getName());
    }
    try {
      Constructor<?> ctor = c.getDeclaredConstructor();
      ctor.setAccessible(true); // a package-private test class is fine
      return (VerifiableJob) ctor.newInstance();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("pipeline class " + className + " needs a constructor without arguments"
          + " (each child JVM creates its own instance)", e);
    } catch (InstantiationException | IllegalAccessException e) {
      throw new IllegalArgumentException("cannot create pipeline class " + className + ": " + e, e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("the constructor of " + className + " failed: " + e.getCause(), e);
    }
  }

  /**
   * The child JVM's class path: this JVM's, then the extra entries made absolute. The child must load the job from
   * its class path, not from a class loader of its own: core copies operators and keyed state by Java serialisation,
   * which resolves classes from the application class loader (a job loaded by a URLClassLoader fails there with
   * ClassNotFoundException for its own KeyedProcessFunction).
   */
  static String childClassPath(String extraClassPath) {
    StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
    for (String entry : extraClassPath.split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        cp.append(File.pathSeparator).append(Path.of(entry).toAbsolutePath());
      }
    }
    return cp.toString();
  }

  private static ClassLoader loader(String extraClassPath) {
    ClassLoader parent = JobLoader.class.getClassLoader();
    if (extraClassPath == null || extraClassPath.isEmpty()) {
      return parent;
    }
    List<URL> urls = new ArrayList<>();
    for (String entry : extraClassPath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path p = Path.of(entry).toAbsolutePath();
      if (!p.toFile().exists()) {
        throw new IllegalArgumentException("class path entry " + p + " does not exist");
      }
      try {
        urls.add(p.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("class path entry " + p + " is not a valid URL: " + e, e);
      }
    }
    return new URLClassLoader(urls.toArray(URL[]::new), parent);
  }
}
