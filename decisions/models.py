# Decision documents (Beschlussvorlagen): see issue 5.
