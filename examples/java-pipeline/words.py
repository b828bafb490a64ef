"""The Python side of the Java pipeline: counts the words of one line."""


def count_words(line):
    words = line.split()
    return {"line": line, "words": len(words), "longest": max(words, key=len) if words else ""}
