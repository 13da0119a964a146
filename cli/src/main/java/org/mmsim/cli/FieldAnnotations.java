package org.mmsim.cli;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The annotations of a class's fields as its class file records them (JVMS §4.7.16,
 * {@code RuntimeVisibleAnnotations}), read without reflection. {@link java.lang.reflect.Field#getAnnotation} makes a
 * proxy class for each annotation type the first time, which the JDK's AOT cache cannot hold: reading the three
 * picocli annotations of {@code check}'s fields that way took 29-34 ms of every run in a cold JVM, this 7-9 ms
 * (bench/README.md). Only what {@link QuickParse} needs is kept: for each field, each annotation's type and the values
 * written in it, strings and arrays of strings as such, anything else as null. A value left at its default is not in
 * the class file, so it is not in the map either.
 */
final class FieldAnnotations {
    private FieldAnnotations() {}

    /** One annotation on a field: its type's binary name ({@code picocli.CommandLine$Option}) and its values. */
    record Annotation(String type, Map<String, Object> values) {
        /** The string value {@code name}, or {@code dflt} if the annotation leaves it at its default. */
        String string(String name, String dflt) {
            return values.get(name) instanceof String s ? s : dflt;
        }

        /** The string-array value {@code name} (a single string counts as one), or an empty array. */
        String[] strings(String name) {
            Object v = values.get(name);
            return v instanceof String[] a ? a : v instanceof String s ? new String[] {s} : new String[0];
        }
    }

    /**
     * Field name to its annotations, in the class file's order, for the fields of {@code c} that have any.
     *
     * @throws IOException if the class file cannot be found or read as one
     */
    static Map<String, List<Annotation>> of(Class<?> c) throws IOException {
        String resource = c.getName().replace('.', '/') + ".class";
        try (InputStream in = c.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no class file " + resource);
            }
            // read whole, then parsed from memory: a stream read a byte at a time costs a cold JVM milliseconds a class
            return read(new ClassBytes(in.readAllBytes()));
        }
    }

    private static Map<String, List<Annotation>> read(ClassBytes in) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        Object[] pool = constantPool(in);
        in.readUnsignedShort(); // access flags
        in.readUnsignedShort(); // this class
        in.readUnsignedShort(); // super class
        in.skipNBytes(2L * in.readUnsignedShort()); // interfaces
        Map<String, List<Annotation>> fields = new LinkedHashMap<>();
        for (int n = in.readUnsignedShort(); n > 0; n--) {
            in.readUnsignedShort(); // access flags
            String name = (String) pool[in.readUnsignedShort()];
            in.readUnsignedShort(); // descriptor
            List<Annotation> found = new ArrayList<>();
            for (int a = in.readUnsignedShort(); a > 0; a--) {
                String attribute = (String) pool[in.readUnsignedShort()];
                int length = in.readInt();
                if (attribute.equals("RuntimeVisibleAnnotations")) {
                    for (int k = in.readUnsignedShort(); k > 0; k--) {
                        found.add(annotation(in, pool));
                    }
                } else {
                    in.skipNBytes(length);
                }
            }
            if (!found.isEmpty()) {
                fields.put(name, found);
            }
        }
        return fields;
    }

    /** The constant pool: UTF-8 entries as strings, the rest as null (JVMS §4.4). */
    private static Object[] constantPool(ClassBytes in) throws IOException {
        Object[] pool = new Object[in.readUnsignedShort()];
        for (int i = 1; i < pool.length; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> pool[i] = in.readUTF();
                case 3, 4 -> in.skipNBytes(4); // Integer, Float
                case 5, 6 -> { // Long, Double: two entries
                    in.skipNBytes(8);
                    i++;
                }
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2); // Class, String, MethodType, Module, Package
                case 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4); // refs, NameAndType, Dynamic, InvokeDynamic
                case 15 -> in.skipNBytes(3); // MethodHandle
                default -> throw new IOException("constant pool tag " + tag);
            }
        }
        return pool;
    }

    private static Annotation annotation(ClassBytes in, Object[] pool) throws IOException {
        String descriptor = (String) pool[in.readUnsignedShort()];
        Map<String, Object> values = new LinkedHashMap<>();
        for (int n = in.readUnsignedShort(); n > 0; n--) {
            String name = (String) pool[in.readUnsignedShort()];
            values.put(name, value(in, pool));
        }
        // "Lpicocli/CommandLine$Option;" -> "picocli.CommandLine$Option"
        return new Annotation(descriptor.substring(1, descriptor.length() - 1).replace('/', '.'), values);
    }

    /** An element value (JVMS §4.7.16.1): a string or an array of strings as such, anything else read past. */
    private static Object value(ClassBytes in, Object[] pool) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case 's' -> {
                return pool[in.readUnsignedShort()];
            }
            case 'B', 'C', 'D', 'F', 'I', 'J', 'S', 'Z', 'c' -> in.skipNBytes(2);
            case 'e' -> in.skipNBytes(4);
            case '@' -> annotation(in, pool);
            case '[' -> {
                int n = in.readUnsignedShort();
                Object[] items = new Object[n];
                boolean strings = true;
                for (int i = 0; i < n; i++) {
                    items[i] = value(in, pool);
                    strings &= items[i] instanceof String;
                }
                if (strings) {
                    String[] a = new String[n];
                    System.arraycopy(items, 0, a, 0, n);
                    return a;
                }
            }
            default -> throw new IOException("element value tag " + (char) tag);
        }
        return null;
    }

    /** A class file in memory, read in the big-endian order of {@link DataInputStream}. */
    private static final class ClassBytes {
        private final ByteBuffer b;

        ClassBytes(byte[] bytes) {
            b = ByteBuffer.wrap(bytes);
        }

        int readInt() throws IOException {
            need(4);
            return b.getInt();
        }

        int readUnsignedShort() throws IOException {
            need(2);
            return b.getShort() & 0xffff;
        }

        int readUnsignedByte() throws IOException {
            need(1);
            return b.get() & 0xff;
        }

        void skipNBytes(long n) throws IOException {
            need(n);
            b.position(b.position() + (int) n);
        }

        /** A CONSTANT_Utf8 entry: modified UTF-8, which for the ASCII of names and options is ASCII. */
        String readUTF() throws IOException {
            int n = readUnsignedShort();
            need(n);
            int at = b.position();
            byte[] a = b.array();
            boolean ascii = true;
            for (int i = at; i < at + n && ascii; i++) {
                ascii = a[i] > 0;
            }
            b.position(at + n);
            if (ascii) {
                return new String(a, at, n, StandardCharsets.ISO_8859_1);
            }
            // the general case, through the JDK's own decoder of modified UTF-8
            byte[] entry = new byte[n + 2];
            entry[0] = (byte) (n >>> 8);
            entry[1] = (byte) n;
            System.arraycopy(a, at, entry, 2, n);
            return new DataInputStream(new java.io.ByteArrayInputStream(entry)).readUTF();
        }

        private void need(long n) throws IOException {
            if (b.remaining() < n) {
                throw new IOException("class file ends early");
            }
        }
    }
}
