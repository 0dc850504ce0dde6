"""A trained model as the pages and the CLI use it: the handle (`loaded.LoadedModel`: predictions,
explanations, the preprocessing it was trained with), where models are found and loaded
(`store`: runs and the shipped models), and shipping one (`ship`) with its model card (`card`)."""
