package dev.berth.manager;

import dev.berth.exception.SystemException;
import dev.berth.remote.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a collaborator so that its Nth call (counting calls on everything it hands out too: writers,
 * fetchers, pushers) fails. By default a failing method throws {@link IOException} when it declares
 * it, else a {@link SystemException}; other {@link Kind}s throw what careless implementations throw.
 * Calls made while {@link Harness} opens a manager are not counted.
 * Hand-written with {@link Proxy}: no mocking library.
 */
final class Faults {
    /** What the failing call throws. */
    enum Kind {
        /** {@link IOException} when declared, else {@link SystemException}. */
        DECLARED,
        /** {@link IOException} when declared, else {@link UncheckedIOException}. */
        IO,
        /** Always {@link UncheckedIOException}. */
        UNCHECKED_IO,
        /** Always a plain {@link RuntimeException}. */
        RUNTIME,
        /** Always a {@link RegistryException} of reason {@code AUTH}. */
        REGISTRY_AUTH
    }

    private final int failAt;
    private final Kind kind;
    private final AtomicInteger calls = new AtomicInteger();
    private final List<Class<?>> wrapped;

    /**
     * @param failAt  the 1-based call that fails
     * @param wrapped the interfaces whose instances returned by calls get wrapped as well
     */
    Faults(int failAt, List<Class<?>> wrapped) {
        this(failAt, wrapped, Kind.DECLARED);
    }

    /** Faults throwing {@code kind}. */
    Faults(int failAt, List<Class<?>> wrapped, Kind kind) {
        this.failAt = failAt;
        this.wrapped = wrapped;
        this.kind = kind;
    }

    /** How many calls were counted. */
    int calls() {
        return calls.get();
    }

    /** Whether the injected failure happened. */
    boolean fired() {
        return calls.get() >= failAt;
    }

    @SuppressWarnings("unchecked")
    <T> T wrap(Class<T> type, T delegate) {
        InvocationHandler h = (proxy, method, args) -> invoke(delegate, method, args);
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h);
    }

    private Object invoke(Object delegate, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return method.invoke(delegate, args);
        }
        if (Harness.opening()) {
            try {
                return method.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
        if (calls.incrementAndGet() == failAt) {
            String message = "injected failure at call " + failAt + " (" + method.getName() + ")";
            if (method.getName().equals("close")) {
                // A close that fails still releases what it holds, as every Closeable must.
                method.invoke(delegate, args);
            }
            boolean declared = false;
            for (Class<?> e : method.getExceptionTypes()) {
                declared |= e.isAssignableFrom(IOException.class);
            }
            switch (kind) {
                case UNCHECKED_IO -> throw new UncheckedIOException(new IOException(message));
                case RUNTIME -> throw new RuntimeException(message);
                case REGISTRY_AUTH -> throw new RegistryException(RegistryException.Reason.AUTH, message);
                default -> {
                    if (declared) {
                        throw new IOException(message);
                    }
                    if (kind == Kind.IO) {
                        throw new UncheckedIOException(new IOException(message));
                    }
                    throw new SystemException(message);
                }
            }
        }
        Object result;
        try {
            result = method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        for (Class<?> w : wrapped) {
            if (result != null && w.isInterface() && w.isInstance(result) && method.getReturnType() == w) {
                return wrapAny(w, result);
            }
        }
        return result;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object wrapAny(Class w, Object o) {
        return wrap(w, o);
    }
}
