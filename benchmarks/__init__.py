"""Scripts that measure minsheng at scale and print `name: value unit` lines."""
