"""The face pipeline, from a photo or a camera frame to the model's 48x48 faces: finding and
cropping faces (`detect`) and the live loop that classifies them frame after frame (`live`)."""
