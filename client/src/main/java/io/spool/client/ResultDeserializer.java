package io.spool.client;

/**
 * Turns the bytes of a binary result (one a job stored through a {@code serialize()} method) into a Java value: the
 * Java side of the Python {@code Serializable} protocol. Register one per type with
 * {@link Spool#registerDeserializer(Class, ResultDeserializer)}; a type with a public static
 * {@code deserialize(byte[])} method needs none.
 */
@FunctionalInterface
public interface ResultDeserializer<T> {

  T deserialize(byte[] data) throws Exception;
}
